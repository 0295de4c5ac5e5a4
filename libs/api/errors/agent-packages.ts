import { type ErrorCategory } from './category.js';

/** Refusals of `/api/agent-packages` and of agent-package rollouts. */
export const AGENT_PACKAGE_ERRORS = {
  agent_package_not_found: 'not_found',
  /** The version was uploaded already with other bytes: a version names one package forever. */
  agent_package_version_taken: 'conflict',
  /** Older than the newest uploaded, without `allowDowngrade`. */
  agent_package_downgrade: 'conflict',
} as const satisfies Record<string, ErrorCategory>;

export type AgentPackageErrorCode = keyof typeof AGENT_PACKAGE_ERRORS;
