import { type ErrorCategory } from './category.js';

/** Refusals of sign-in, sessions and the route policy (`/api/auth`, every guarded route). */
export const AUTH_ERRORS = {
  login_required: 'unauthenticated',
  login_failed: 'unauthenticated',
  csrf_token_invalid: 'csrf_failed',
  /** The route needs another role; `requiredRoles` and `role` say which. */
  role_insufficient: 'forbidden',
  current_password_wrong: 'forbidden',
  /** `retryAfterSeconds` says when to try again. */
  too_many_login_attempts: 'too_many_attempts',
  session_not_found: 'not_found',
} as const satisfies Record<string, ErrorCategory>;

export type AuthErrorCode = keyof typeof AUTH_ERRORS;
