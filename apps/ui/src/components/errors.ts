import { ApiError } from '../api/client.js';

/**
 * The operator-facing text of a failed call: the API's own words, never a raw exception ("TypeError:
 * Failed to fetch" is what a browser says when central is down).
 */
export function messageOf(e: unknown): string {
  if (e instanceof ApiError) return e.message;
  if (e instanceof TypeError && /fetch|network|load failed/i.test(e.message))
    return 'central is not answering';
  const text = e instanceof Error ? e.message : String(e);
  return text ? `something went wrong in this page: ${text}` : 'something went wrong in this page';
}

/** A refusal in one line: each bad field with its message (a 400), else the API's sentence. */
export function refusalText(e: unknown): string {
  const issues = e instanceof ApiError ? e.issues : [];
  return issues.length > 0 ? issues.map((i) => `${i.field}: ${i.message}`).join('; ') : messageOf(e);
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
