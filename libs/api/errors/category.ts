/**
 * The kinds of refusal the API has always answered in `error`, each with its one HTTP status (ADR 49).
 * A domain code (`code`) names the precise refusal; its category says how a client may treat it.
 */
export const HTTP_STATUS_BY_CATEGORY = {
  validation_failed: 400,
  /** An uploaded certificate, key or store that cannot become the server identity; `reason` says why. */
  certificate_rejected: 400,
  unauthenticated: 401,
  forbidden: 403,
  /** A write authenticated by the session cookie without the session's `X-CSRF-Token`. */
  csrf_failed: 403,
  not_found: 404,
  conflict: 409,
  would_strand_agents: 409,
  listener_failed: 409,
  /** Login refused before the password is checked; `retryAfterSeconds` says when to try again. */
  too_many_attempts: 429,
  internal_error: 500,
  unavailable: 503,
} as const;

export type ErrorCategory = keyof typeof HTTP_STATUS_BY_CATEGORY;
