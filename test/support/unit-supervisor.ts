import { spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { RunningProcess } from './processes.js';

/** The [Service] settings of a systemd unit that decide how its main process is started again. */
export interface ServiceRestartRules {
  execStart: string;
  environment: Record<string, string>;
  restart: 'no' | 'always' | 'on-success' | 'on-failure' | 'on-abnormal' | 'on-abort' | 'on-watchdog';
  restartSecMs: number;
  restartPreventExitStatus: Set<number>;
  restartForceExitStatus: Set<number>;
}

/** Reads the [Service] section's keys (last one wins, as systemd; lists accumulate). */
export function parseServiceUnit(text: string): ServiceRestartRules {
  const service: Array<[string, string]> = [];
  let section = '';
  for (const raw of text.split('\n')) {
    const line = raw.trim();
    if (line === '' || line.startsWith('#') || line.startsWith(';')) continue;
    const header = /^\[(.+)\]$/.exec(line);
    if (header) {
      section = header[1]!;
      continue;
    }
    const eq = line.indexOf('=');
    if (section === 'Service' && eq > 0) service.push([line.slice(0, eq).trim(), line.slice(eq + 1).trim()]);
  }
  const last = (key: string) => service.filter(([k]) => k === key).at(-1)?.[1];
  const statuses = (key: string) =>
    new Set(
      service
        .filter(([k]) => k === key)
        .flatMap(([, v]) => v.split(/\s+/))
        .filter((v) => /^\d+$/.test(v))
        .map(Number),
    );
  const environment: Record<string, string> = {};
  for (const [k, v] of service)
    if (k === 'Environment')
      for (const pair of v.split(/\s+/)) {
        const i = pair.indexOf('=');
        if (i > 0) environment[pair.slice(0, i)] = pair.slice(i + 1);
      }
  const sec = last('RestartSec') ?? '100ms';
  const m = /^(\d+(?:\.\d+)?)(ms|s|min)?$/.exec(sec);
  const restartSecMs = m ? Number(m[1]) * (m[2] === 'ms' ? 1 : m[2] === 'min' ? 60_000 : 1000) : 100;
  return {
    execStart: last('ExecStart') ?? '',
    environment,
    restart: (last('Restart') ?? 'no') as ServiceRestartRules['restart'],
    restartSecMs,
    restartPreventExitStatus: statuses('RestartPreventExitStatus'),
    restartForceExitStatus: statuses('RestartForceExitStatus'),
  };
}

/**
 * systemd's decision (service_shall_restart in src/core/service.c, v252): never after a stop it asked
 * for; RestartPreventExitStatus wins, then RestartForceExitStatus, then Restart=. Only exit codes and
 * SIGTERM-like clean signals are modelled (no watchdog, no timeouts).
 */
export function shallRestart(
  rules: ServiceRestartRules,
  exit: { code: number | null; signal: NodeJS.Signals | null; stopRequested: boolean },
): boolean {
  if (exit.stopRequested) return false;
  if (exit.code !== null && rules.restartPreventExitStatus.has(exit.code)) return false;
  if (exit.code !== null && rules.restartForceExitStatus.has(exit.code)) return true;
  const clean =
    (exit.code === 0 && exit.signal === null) ||
    (exit.signal !== null && ['SIGHUP', 'SIGINT', 'SIGTERM', 'SIGPIPE'].includes(exit.signal));
  switch (rules.restart) {
    case 'always':
      return true;
    case 'on-success':
      return clean;
    case 'on-failure':
      return !clean;
    case 'on-abnormal':
    case 'on-abort':
      return exit.signal !== null && !clean;
    default:
      return false;
  }
}

/** One start of the service: its process and, once it ended, how. */
export interface UnitRun {
  invocationId: string;
  process: RunningProcess;
  code?: number | null;
  signal?: string | null;
}

/**
 * A small stand-in for systemd running one service: starts ExecStart (rewritten by the test to where the
 * package was unpacked) with the unit's Environment= and a fresh INVOCATION_ID each start (what the
 * agent looks at to exit for its service manager rather than restart itself), and starts it again when
 * `shallRestart` says so, after RestartSec (capped for the test). Not PID 1, no cgroup, no sandboxing.
 */
export class UnitSupervisor {
  readonly runs: UnitRun[] = [];
  private stopping = false;
  private timer: NodeJS.Timeout | undefined;

  constructor(
    private readonly rules: ServiceRestartRules,
    private readonly options: { env: Record<string, string>; restartCapMs?: number },
  ) {}

  get current(): RunningProcess | undefined {
    return this.runs.at(-1)?.process;
  }

  /** Output of every run, for a failure message. */
  get output(): string {
    return this.runs
      .map((r, i) => `--- run ${i + 1} (exit ${r.code ?? r.signal ?? 'running'})\n${r.process.output}`)
      .join('\n');
  }

  start(): void {
    const invocationId = randomBytes(16).toString('hex');
    const [command, ...args] = this.rules.execStart.split(/\s+/);
    const child = spawn(command!, args, {
      env: { ...this.rules.environment, ...this.options.env, INVOCATION_ID: invocationId },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    const run: UnitRun = {
      invocationId,
      process: new RunningProcess(`unit run ${this.runs.length + 1}`, child),
    };
    this.runs.push(run);
    child.on('exit', (code, signal) => {
      run.code = code;
      run.signal = signal;
      if (!shallRestart(this.rules, { code, signal, stopRequested: this.stopping })) return;
      this.timer = setTimeout(
        () => this.start(),
        Math.min(this.rules.restartSecMs, this.options.restartCapMs ?? 500),
      );
    });
  }

  /** `systemctl stop`: KillSignal (SIGTERM) to the main process, no restart. */
  async stop(): Promise<void> {
    this.stopping = true;
    clearTimeout(this.timer);
    await this.current?.stop('SIGTERM', 5000);
  }
}
