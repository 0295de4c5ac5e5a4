/** One bad key of an agent.conf: which key, and what is wrong with it in words an operator can act on. */
export interface AgentConfIssue {
  readonly key: string;
  /** What is wrong, without the key, e.g. `must be a port number 1-65535 (got "abc")`. */
  readonly message: string;
}

/**
 * An agent.conf that cannot be used. It lists every bad key at once, so an operator fixes the file in
 * one go instead of one restart per mistake.
 */
export class AgentConfError extends Error {
  override readonly name = 'AgentConfError';

  constructor(readonly issues: readonly AgentConfIssue[]) {
    super(`agent.conf: ${issues.map((issue) => `${issue.key}: ${issue.message}`).join('; ')}`);
  }
}
