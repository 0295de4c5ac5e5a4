import { useEffect, useRef } from 'preact/hooks';

/**
 * A function that runs `fn` at most once per `ms`: the first call runs at once, calls within the
 * window collapse into one run at its end (so the last change is never missed).
 */
export function useThrottled(fn: () => void, ms: number): () => void {
  const latest = useRef(fn);
  latest.current = fn;
  const state = useRef<{ last: number; timer: number | undefined }>({ last: 0, timer: undefined });
  useEffect(() => () => window.clearTimeout(state.current.timer), []);
  return () => {
    const s = state.current;
    if (s.timer !== undefined) return;
    const wait = s.last + ms - Date.now();
    const run = () => {
      s.timer = undefined;
      s.last = Date.now();
      latest.current();
    };
    if (wait <= 0) run();
    else s.timer = window.setTimeout(run, wait);
  };
}
