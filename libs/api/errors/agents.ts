import { type ErrorCategory } from './category.js';

/** Refusals of `/api/agents` (enrollment tokens, revocation, bulk actions) and the local CA. */
export const AGENT_ERRORS = {
  agent_not_found: 'not_found',
  enrollment_token_not_found: 'not_found',
  /** The agent has no client certificate left to revoke. */
  agent_certificate_not_found: 'not_found',
} as const satisfies Record<string, ErrorCategory>;

export type AgentErrorCode = keyof typeof AGENT_ERRORS;
