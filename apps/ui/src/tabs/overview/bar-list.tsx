/** One bar of a BarList: a label, a count, and a tone for its colour. */
export interface Bar {
  key: string;
  label: string;
  value: number;
  tone?: 'ok' | 'warn' | 'bad' | 'idle' | 'info';
}

/**
 * Horizontal bars in plain CSS (no chart library): each bar's length is its share of `total` (of the
 * largest value when no total is given), and the number is always written beside it.
 */
export function BarList(props: { label: string; bars: Bar[]; total?: number; testId?: string }) {
  const scale = props.total ?? Math.max(1, ...props.bars.map((b) => b.value));
  return (
    <ul class="bar-list" aria-label={props.label} data-testid={props.testId}>
      {props.bars.map((b) => {
        const share = scale > 0 ? Math.min(100, (100 * b.value) / scale) : 0;
        return (
          <li key={b.key} data-bar={b.key}>
            <span class="bar-label">{b.label}</span>
            <span class="bar-track" aria-hidden="true">
              <span
                class={`bar-fill bar-${b.tone ?? 'info'}`}
                // A non-zero count keeps a visible sliver: 3 of 10,000 is not nothing.
                style={{ width: b.value > 0 ? `max(2px, ${share}%)` : '0' }}
              />
            </span>
            <span class="bar-value" data-testid={props.testId ? `${props.testId}-${b.key}` : undefined}>
              {b.value.toLocaleString('en')}
            </span>
          </li>
        );
      })}
    </ul>
  );
}
