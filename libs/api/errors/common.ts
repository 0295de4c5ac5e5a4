import { type ErrorCategory } from './category.js';

/** Refusals that belong to no domain: request shape, routing, readiness, and the unexpected. */
export const COMMON_ERRORS = {
  /** A body, query or parameter failed its schema; `issues` names every bad field. */
  validation_failed: 'validation_failed',
  /** The body is not JSON, or too large to read. */
  request_body_unreadable: 'validation_failed',
  route_not_found: 'not_found',
  api_docs_asset_not_found: 'not_found',
  /** Readiness: this node lost its lease. */
  node_not_ready: 'unavailable',
  database_unreachable: 'unavailable',
  /** A bug: the central log has the stack. */
  internal_error: 'internal_error',
} as const satisfies Record<string, ErrorCategory>;

export type CommonErrorCode = keyof typeof COMMON_ERRORS;
