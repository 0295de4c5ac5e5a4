/** Every failure the API can report, mapped to HTTP in one place (http-error.filter.ts). */
export enum ErrorCode {
  VALIDATION = 'validation_failed',
  /** An uploaded certificate, key or store that cannot become the server identity; `reason` says why. */
  CERTIFICATE_REJECTED = 'certificate_rejected',
  UNAUTHENTICATED = 'unauthenticated',
  FORBIDDEN = 'forbidden',
  /** A write authenticated by the session cookie without the session's `X-CSRF-Token`. */
  CSRF_FAILED = 'csrf_failed',
  /** Login refused before the password is checked; `retryAfterSeconds` says when to try again. */
  TOO_MANY_ATTEMPTS = 'too_many_attempts',
  NOT_FOUND = 'not_found',
  CONFLICT = 'conflict',
  WOULD_STRAND_AGENTS = 'would_strand_agents',
  LISTENER_FAILED = 'listener_failed',
  UNAVAILABLE = 'unavailable',
}

export class DomainError extends Error {
  constructor(
    readonly code: ErrorCode,
    message: string,
    /** Extra, non-secret facts for the client (bad fields, stranded agents, ...). */
    readonly details: Record<string, unknown> = {},
  ) {
    super(message);
    this.name = 'DomainError';
  }
}

export interface FieldIssue {
  field: string;
  message: string;
}

export class ValidationError extends DomainError {
  constructor(readonly issues: FieldIssue[]) {
    super(ErrorCode.VALIDATION, issues.map((i) => `${i.field}: ${i.message}`).join('; '), { issues });
  }
}
