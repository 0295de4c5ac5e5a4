/** Longest wait central may ask for: a bad or hostile header must not park an agent for hours. */
const MAX_RETRY_AFTER_MS = 300_000;

/**
 * The wait a `Retry-After` header asks for, in ms: delay-seconds or an HTTP date. Undefined when absent
 * or unreadable (the agent then keeps its own backoff).
 */
export function parseRetryAfter(value: string | string[] | undefined, now = Date.now()): number | undefined {
  const text = Array.isArray(value) ? value[0] : value;
  if (text === undefined) return undefined;
  const trimmed = text.trim();
  let ms: number;
  if (/^\d+$/.test(trimmed)) ms = Number(trimmed) * 1000;
  else {
    // An HTTP date names its day and month ("Tue, 01 Dec 2026 10:00:07 GMT"); "-5" is no date.
    const at = /^[A-Za-z]{3}, /.test(trimmed) ? Date.parse(trimmed) : NaN;
    if (Number.isNaN(at)) return undefined;
    ms = Math.max(0, at - now);
  }
  return Math.min(ms, MAX_RETRY_AFTER_MS);
}

/**
 * The delay before the next attempt when central said `Retry-After` (it refused for a reason of its own:
 * busy after a restart, database down): that long plus up to half of it again, so the refused agents do
 * not come back together. It replaces the exponential backoff, which would have grown to its cap over a
 * few refusals: a server-side refusal brings the agent back soon (ADR 26).
 */
export function delayAfterRefusal(retryAfterMs: number, random: () => number = Math.random): number {
  return Math.floor(retryAfterMs + random() * (retryAfterMs / 2 + 250));
}
