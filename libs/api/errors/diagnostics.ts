import { type ErrorCategory } from './category.js';

/** Refusals of `/api/diagnostics` (ADR 44). */
export const DIAGNOSTICS_ERRORS = {
  diagnostics_selection_too_large: 'validation_failed',
  diagnostics_request_not_found: 'not_found',
  diagnostics_bundle_not_ready: 'conflict',
  diagnostics_request_failed: 'conflict',
} as const satisfies Record<string, ErrorCategory>;

export type DiagnosticsErrorCode = keyof typeof DIAGNOSTICS_ERRORS;
