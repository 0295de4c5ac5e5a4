import { spawn } from 'node:child_process';
import { closeSync, openSync } from 'node:fs';
import { join } from 'node:path';
import { ExitCode } from '../exit-codes.js';

/**
 * Exit code that asks the service manager to start the agent again, into the version `versions/current`
 * names (ADR 45). The systemd unit restarts on it (`Restart=on-failure`, `RestartForceExitStatus=10`).
 */
export const UPGRADE_RESTART_EXIT_CODE = ExitCode.UPGRADE_RESTART;

/** How this agent comes back after it exits for an upgrade. */
export type RestartPlan =
  | { kind: 'service-manager'; exitCode: ExitCode }
  | { kind: 'respawn'; launcher: string }
  | { kind: 'impossible'; reason: string };

/**
 * Under systemd (which sets INVOCATION_ID for a service) the agent exits with the dedicated code and
 * the unit starts it again; started by hand it starts its launcher again, detached, and exits. Without
 * the package launcher (`npm run agent` from a checkout) there is nothing to restart into.
 */
export function restartPlan(env: NodeJS.ProcessEnv): RestartPlan {
  if (env.INVOCATION_ID || env.SWITCHYARD_AGENT_SERVICE === 'systemd')
    return { kind: 'service-manager', exitCode: UPGRADE_RESTART_EXIT_CODE };
  if (env.SWITCHYARD_AGENT_LAUNCHER) return { kind: 'respawn', launcher: env.SWITCHYARD_AGENT_LAUNCHER };
  return {
    kind: 'impossible',
    reason:
      'this agent was not started by its package launcher (bin/switchyard-agent), so it cannot restart into a new version',
  };
}

/**
 * Starts the launcher again, detached from this process (its own session, so this exit does not take it
 * down), with the same arguments; its output goes to `<home>/state/agent.log` as nobody reads this
 * process's terminal any more.
 */
export function respawn(launcher: string, argv: readonly string[], stateDir: string): number | undefined {
  const log = openSync(join(stateDir, 'agent.log'), 'a', 0o600);
  try {
    const child = spawn(launcher, [...argv], {
      detached: true,
      stdio: ['ignore', log, log],
      env: process.env,
    });
    child.unref();
    return child.pid;
  } finally {
    closeSync(log);
  }
}
