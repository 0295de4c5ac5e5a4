import { type ComponentChildren } from 'preact';
import { useEffect, useRef, useState } from 'preact/hooks';

const OVERSCAN = 10;

/**
 * A table that renders only the rows in view (plus a few), with spacer rows keeping the scroll
 * height true: ten thousand agents cost as much to draw as forty.
 */
export function VirtualTable<T>(props: {
  label: string;
  rows: T[];
  rowHeight: number;
  height: number;
  head: ComponentChildren;
  row: (item: T, index: number) => ComponentChildren;
  columns: number;
}) {
  const box = useRef<HTMLDivElement>(null);
  const [top, setTop] = useState(0);
  useEffect(() => {
    const el = box.current;
    if (!el) return;
    const onScroll = () => setTop(el.scrollTop);
    el.addEventListener('scroll', onScroll, { passive: true });
    return () => el.removeEventListener('scroll', onScroll);
  }, []);
  const first = Math.max(0, Math.floor(top / props.rowHeight) - OVERSCAN);
  const count = Math.ceil(props.height / props.rowHeight) + 2 * OVERSCAN;
  const last = Math.min(props.rows.length, first + count);
  return (
    <div
      class="virtual"
      ref={box}
      style={{ maxHeight: `${props.height}px` }}
      tabIndex={0}
      aria-label={`${props.label}, scrollable`}
    >
      <table class="grid" aria-label={props.label} aria-rowcount={props.rows.length + 1}>
        <thead>{props.head}</thead>
        <tbody>
          {first > 0 && (
            <tr aria-hidden="true" style={{ height: `${first * props.rowHeight}px` }}>
              <td colSpan={props.columns} />
            </tr>
          )}
          {props.rows.slice(first, last).map((item, i) => props.row(item, first + i))}
          {last < props.rows.length && (
            <tr aria-hidden="true" style={{ height: `${(props.rows.length - last) * props.rowHeight}px` }}>
              <td colSpan={props.columns} />
            </tr>
          )}
        </tbody>
      </table>
    </div>
  );
}
