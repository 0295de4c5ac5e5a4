/** Entries of a list kept in a record or an answer; the rest is counted (`<key>Count`). */
export const LISTED = 100;

/**
 * A copy where every list longer than `max` (at any depth) keeps its first `max` entries, with its full
 * length beside it as `<key>Count`: a step that strands 10,000 agents must not write megabytes into the
 * audit log and the migration history, nor send them to every screen that reads them.
 */
export function compactLists(value: Record<string, unknown>, max = LISTED): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const [key, v] of Object.entries(value)) {
    if (Array.isArray(v) && v.length > max) {
      out[key] = v.slice(0, max);
      out[`${key}Count`] = v.length;
    } else if (v !== null && typeof v === 'object' && !Array.isArray(v) && !(v instanceof Date)) {
      out[key] = compactLists(v as Record<string, unknown>, max);
    } else out[key] = v;
  }
  return out;
}
