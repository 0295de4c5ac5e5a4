import { useEffect, useState } from 'preact/hooks';

/**
 * One clock for the whole page: every "x s ago" re-renders from the same tick, so relative times move
 * on their own (a frozen "1 s ago" reads as "just now" forever) and the page holds one timer, not one
 * per row.
 */
const TICK_MS = 1_000;
const listeners = new Set<(now: number) => void>();
let timer: number | undefined;

function tick(): void {
  const now = Date.now();
  for (const l of listeners) l(now);
}

export function subscribeClock(listener: (now: number) => void): () => void {
  listeners.add(listener);
  timer ??= window.setInterval(tick, TICK_MS);
  return () => {
    listeners.delete(listener);
    if (listeners.size === 0 && timer !== undefined) {
      window.clearInterval(timer);
      timer = undefined;
    }
  };
}

/** The current time, re-rendering the caller every second. */
export function useNow(): number {
  const [now, setNow] = useState(Date.now);
  useEffect(() => subscribeClock(setNow), []);
  return now;
}
