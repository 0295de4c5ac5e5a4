import { type ApiErrorCode, categoryOf, type ErrorCategory } from '../../../../libs/api/errors/index.js';

export { type ApiErrorCode, type ErrorCategory } from '../../../../libs/api/errors/index.js';

/**
 * A refusal with its domain's code (libs/api/errors, ADR 49); the code's category picks the HTTP status
 * in http-error.filter.ts and is what callers branch on when any refusal of a kind will do.
 */
export class DomainError extends Error {
  readonly category: ErrorCategory;

  constructor(
    readonly code: ApiErrorCode,
    message: string,
    /** Extra, non-secret facts for the client (bad fields, stranded agents, ...). */
    readonly details: Record<string, unknown> = {},
  ) {
    super(message);
    this.name = 'DomainError';
    this.category = categoryOf(code);
  }
}

export interface FieldIssue {
  field: string;
  message: string;
}

export class ValidationError extends DomainError {
  constructor(readonly issues: FieldIssue[]) {
    super('validation_failed', issues.map((i) => `${i.field}: ${i.message}`).join('; '), { issues });
  }
}
