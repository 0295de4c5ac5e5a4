import { spawn, type ChildProcess } from 'node:child_process';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { CENTRAL_NODE_FLAGS } from '../../apps/central/src/runtime-flags.js';

export const REPO_ROOT = join(dirname(fileURLToPath(import.meta.url)), '..', '..');
const CENTRAL_MAIN = join(REPO_ROOT, 'dist', 'apps', 'central', 'src', 'main.js');
const AGENT_MAIN = join(REPO_ROOT, 'dist', 'apps', 'agent', 'src', 'main.js');

/** A child process whose output is kept, so a test can wait for a line and show the log on failure. */
export class RunningProcess {
  output = '';
  readonly exited: Promise<number | null>;

  constructor(
    readonly name: string,
    readonly child: ChildProcess,
  ) {
    child.stdout?.on('data', (d: Buffer) => (this.output += d.toString()));
    child.stderr?.on('data', (d: Buffer) => (this.output += d.toString()));
    this.exited = new Promise((resolve) => child.on('exit', (code) => resolve(code)));
  }

  async waitForOutput(pattern: RegExp, timeoutMs = 30_000, from = 0): Promise<RegExpMatchArray> {
    const deadline = Date.now() + timeoutMs;
    while (Date.now() < deadline) {
      const m = this.output.slice(from).match(pattern);
      if (m) return m;
      if (this.child.exitCode !== null) break;
      await new Promise((r) => setTimeout(r, 50));
    }
    throw new Error(
      `${this.name}: no output matching ${pattern} within ${timeoutMs} ms; output:\n${this.output.slice(-4000)}`,
    );
  }

  /** Stops the process (SIGTERM, then SIGKILL after a grace period) and waits for it. */
  async stop(signal: NodeJS.Signals = 'SIGTERM', graceMs = 10_000): Promise<number | null> {
    if (this.child.exitCode !== null || this.child.signalCode !== null) return this.child.exitCode;
    this.child.kill(signal);
    const timer = setTimeout(() => this.child.kill('SIGKILL'), graceMs);
    const code = await this.exited;
    clearTimeout(timer);
    return code;
  }
}

/**
 * Starts central as `npm start` does (its Node flags), or with `nodeFlags` instead. One process unless
 * the test asks for cluster mode (SWITCHYARD_WORKERS): signals and kills then reach central itself.
 */
export function startCentralProcess(
  env: Record<string, string>,
  nodeFlags: readonly string[] = CENTRAL_NODE_FLAGS,
): RunningProcess {
  const child = spawn(process.execPath, [...nodeFlags, CENTRAL_MAIN], {
    env: { PATH: process.env.PATH ?? '', HOME: process.env.HOME ?? '/root', SWITCHYARD_WORKERS: '1', ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  return new RunningProcess('central', child);
}

export function startAgentProcess(args: string[], env: Record<string, string> = {}): RunningProcess {
  const child = spawn(process.execPath, [AGENT_MAIN, ...args], {
    env: { PATH: process.env.PATH ?? '', HOME: process.env.HOME ?? '/root', ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  return new RunningProcess('agent', child);
}

/**
 * A real agent process on `home` for a test: enrolls with `token` (when given) and retries fast (backoff
 * from 200 ms up to `backoffMaxMs`), so a test waits for central rather than for the agent's backoff.
 */
export function startTestAgent(
  home: string,
  opts: { token?: string; backoffMaxMs?: number; args?: string[]; env?: Record<string, string> } = {},
): RunningProcess {
  return startAgentProcess(
    [
      '--home',
      home,
      ...(opts.token ? ['--token', opts.token] : []),
      '--backoff-base-ms',
      '200',
      '--backoff-max-ms',
      String(opts.backoffMaxMs ?? 2000),
      ...(opts.args ?? []),
    ],
    opts.env,
  );
}
