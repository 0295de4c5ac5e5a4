import { type ErrorCategory } from './category.js';

/** Refusals of `/api/users`. */
export const USER_ERRORS = {
  user_not_found: 'not_found',
  user_already_exists: 'conflict',
  cannot_delete_yourself: 'conflict',
  /** At least one admin always remains. */
  last_admin: 'conflict',
} as const satisfies Record<string, ErrorCategory>;

export type UserErrorCode = keyof typeof USER_ERRORS;
