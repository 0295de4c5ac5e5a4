import { AGENT_PACKAGE_ERRORS } from './agent-packages.js';
import { AGENT_ERRORS } from './agents.js';
import { AUTH_ERRORS } from './auth.js';
import { type ErrorCategory, HTTP_STATUS_BY_CATEGORY } from './category.js';
import { CERTIFICATE_ERRORS } from './certificates.js';
import { COMMON_ERRORS } from './common.js';
import { DIAGNOSTICS_ERRORS } from './diagnostics.js';
import { MIGRATION_ERRORS } from './migration.js';
import { PROFILE_ERRORS } from './profiles.js';
import { ROLLOUT_ERRORS } from './rollouts.js';
import { ROTATION_ERRORS } from './rotation.js';
import { SETTINGS_ERRORS } from './settings.js';
import { USER_ERRORS } from './users.js';

export { type ErrorCategory, HTTP_STATUS_BY_CATEGORY } from './category.js';

/** Each domain's codes, by domain: the OpenAPI document lists them so, and a spec keeps codes unique. */
export const ERROR_DOMAINS = {
  common: COMMON_ERRORS,
  auth: AUTH_ERRORS,
  users: USER_ERRORS,
  agents: AGENT_ERRORS,
  'agent-packages': AGENT_PACKAGE_ERRORS,
  profiles: PROFILE_ERRORS,
  rollouts: ROLLOUT_ERRORS,
  migration: MIGRATION_ERRORS,
  settings: SETTINGS_ERRORS,
  certificates: CERTIFICATE_ERRORS,
  rotation: ROTATION_ERRORS,
  diagnostics: DIAGNOSTICS_ERRORS,
} as const;

/** Every code the API answers in `code`, with its category (answered in `error`). */
export const API_ERRORS = {
  ...COMMON_ERRORS,
  ...AUTH_ERRORS,
  ...USER_ERRORS,
  ...AGENT_ERRORS,
  ...AGENT_PACKAGE_ERRORS,
  ...PROFILE_ERRORS,
  ...ROLLOUT_ERRORS,
  ...MIGRATION_ERRORS,
  ...SETTINGS_ERRORS,
  ...CERTIFICATE_ERRORS,
  ...ROTATION_ERRORS,
  ...DIAGNOSTICS_ERRORS,
} as const;

export type ApiErrorCode = keyof typeof API_ERRORS;

/**
 * The body of every refusal: `error` is the category (the field scripts have always read), `code` the
 * precise refusal, `message` a sentence for people; anything else is a detail named in the code's docs.
 */
export interface ApiErrorBody {
  error: ErrorCategory | 'http_error';
  code: ApiErrorCode | 'http_error';
  message: string;
  [detail: string]: unknown;
}

export function categoryOf(code: ApiErrorCode): ErrorCategory {
  return API_ERRORS[code];
}

export function httpStatusOf(code: ApiErrorCode): number {
  return HTTP_STATUS_BY_CATEGORY[categoryOf(code)];
}

export function isApiErrorCode(value: unknown): value is ApiErrorCode {
  return typeof value === 'string' && Object.hasOwn(API_ERRORS, value);
}
