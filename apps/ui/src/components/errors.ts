import { ApiError } from '../api/client.js';

/** The operator-facing text of a failed call. */
export function messageOf(e: unknown): string {
  return e instanceof Error ? e.message : String(e);
}

/** A 400's issues keyed by field, for inline messages; empty for any other failure. */
export function issuesOf(e: unknown): Record<string, string> {
  const out: Record<string, string> = {};
  if (e instanceof ApiError) for (const i of e.issues) out[i.field] ??= i.message;
  return out;
}
