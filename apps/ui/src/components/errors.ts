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

/** Whether some issue has no field of its own on the form, so the whole message must be shown. */
export function hasUnplacedIssue(issues: Record<string, string>, placed: readonly string[]): boolean {
  const keys = Object.keys(issues);
  return keys.length === 0 || keys.some((k) => !placed.includes(k));
}
