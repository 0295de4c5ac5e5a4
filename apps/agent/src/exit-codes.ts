/** Process exit codes of the agent, documented in `--help`. */
export const ExitCode = {
  OK: 0,
  /** A local failure the agent cannot work around (e.g. the credential cannot be stored). */
  FAILURE: 1,
  /** Bad command line, invalid agent.conf, or not enrolled. */
  USAGE: 2,
  /** Central revoked this agent. */
  REVOKED: 3,
  /** A new version was installed: the service manager starts the agent again, into it (ADR 45). */
  UPGRADE_RESTART: 10,
} as const;
export type ExitCode = (typeof ExitCode)[keyof typeof ExitCode];
