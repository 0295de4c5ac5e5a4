import { spawn, type ChildProcess } from 'node:child_process';
import { createWriteStream, readFileSync, type WriteStream } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { CENTRAL_NODE_FLAGS } from '../../apps/central/src/runtime-flags.js';

const CENTRAL_MAIN = fileURLToPath(new URL('../../apps/central/src/main.js', import.meta.url));
const READY_LINE = 'Switchyard central is running';

export interface CentralEnv {
  dataDir: string;
  httpPort: number;
  adminPassword: string;
  databaseUrl?: string;
  heartbeatIntervalMs?: number;
  /** SWITCHYARD_WORKERS for central's cluster mode (`auto`, or a number); unset runs one process. */
  workers?: string;
  /** SWITCHYARD_FLEET_SIZE: the agents of the run, so `auto` starts enough workers to hold them all. */
  fleetSize?: number;
  /** Opens the V8 inspector on 127.0.0.1:<port> (for a CPU profile of a phase). */
  inspectPort?: number;
}

/** Warnings and errors central logged, grouped by their text with ids, addresses and numbers masked. */
export class LogDigest {
  readonly counts = new Map<string, number>();
  lines = 0;

  add(line: string): void {
    this.lines++;
    // eslint-disable-next-line no-control-regex
    const plain = line.replace(/\x1b\[[0-9;]*m/g, '');
    const nest =
      /^\[Nest\] \d+\s+-\s+.*?\s+(LOG|WARN|ERROR|DEBUG|VERBOSE|FATAL)\s+(\[[^\]]+\])?\s*(.*)$/.exec(plain);
    let key: string;
    if (nest) {
      if (nest[1] === 'LOG' || nest[1] === 'DEBUG' || nest[1] === 'VERBOSE') return;
      key = `${nest[1]} ${nest[2] ?? ''} ${nest[3]}`;
    } else {
      // stdout lines of the banner are expected; anything else on a line of its own is worth seeing
      if (!/error|exception|warn|fail|at .+:\d+:\d+/i.test(plain)) return;
      key = `RAW ${plain.trim()}`;
    }
    const masked = key
      .replace(/bench-[a-z]+-\d+/g, '<agent>')
      .replace(/\d+\.\d+\.\d+\.\d+(:\d+)?/g, '<addr>')
      .replace(/\b\d+\b/g, '#')
      .slice(0, 200);
    this.counts.set(masked, (this.counts.get(masked) ?? 0) + 1);
  }

  top(n = 10): Array<{ line: string; count: number }> {
    return [...this.counts.entries()]
      .sort((a, b) => b[1] - a[1])
      .slice(0, n)
      .map(([line, count]) => ({ line, count }));
  }
}

/** One central process this bench started; it is only ever signalled by its own PID. */
export class CentralProcess {
  readonly pid: number;
  readyAt: number | undefined;
  readonly exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
  private stopping = false;
  private readonly tail: string[] = [];
  private readonly log: WriteStream;

  private constructor(
    private readonly child: ChildProcess,
    readonly env: CentralEnv,
    logFile: string,
    private readonly digest: LogDigest,
    private readonly onUnexpectedExit: (message: string) => void,
  ) {
    this.pid = child.pid!;
    this.log = createWriteStream(logFile, { flags: 'a' });
    this.exited = new Promise((resolve) =>
      child.on('exit', (code, signal) => {
        this.log.end();
        if (!this.stopping) {
          this.onUnexpectedExit(
            `central (pid ${this.pid}) exited on its own (${signal ?? code}); last lines:\n${this.lastLines().join('\n')}`,
          );
        }
        resolve({ code, signal });
      }),
    );
  }

  /** Starts central and resolves when it prints its ready line (or rejects after `timeoutMs`). */
  static async start(
    env: CentralEnv,
    logFile: string,
    digest: LogDigest,
    onUnexpectedExit: (message: string) => void,
    timeoutMs = 120_000,
  ): Promise<CentralProcess> {
    const inspect = env.inspectPort ? [`--inspect=127.0.0.1:${env.inspectPort}`] : [];
    // Run as `npm start` runs it.
    const child = spawn(process.execPath, [...CENTRAL_NODE_FLAGS, ...inspect, CENTRAL_MAIN], {
      env: {
        ...process.env,
        SWITCHYARD_DATA_DIR: env.dataDir,
        SWITCHYARD_HTTP_HOST: '127.0.0.1',
        SWITCHYARD_HTTP_PORT: String(env.httpPort),
        SWITCHYARD_ADMIN_PASSWORD: env.adminPassword,
        DATABASE_URL: env.databaseUrl ?? '',
        SWITCHYARD_HEARTBEAT_INTERVAL_MS: env.heartbeatIntervalMs ? String(env.heartbeatIntervalMs) : '',
        // One process unless asked: figures compare with a single bare process (cluster mode: --workers).
        SWITCHYARD_WORKERS: env.workers ?? '1',
        SWITCHYARD_FLEET_SIZE: env.fleetSize ? String(env.fleetSize) : '',
        NO_COLOR: '1',
      },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    const central = new CentralProcess(child, env, logFile, digest, onUnexpectedExit);
    try {
      await central.watchOutput(timeoutMs);
    } catch (error) {
      // Not ready in time: nobody else holds its PID, so stop it here (it stops its embedded PostgreSQL).
      await central.stop(10_000);
      throw error;
    }
    return central;
  }

  /** The embedded PostgreSQL's postmaster, if central runs one. */
  postmasterPid(): number | undefined {
    if (this.env.databaseUrl) return undefined;
    try {
      return Number(readFileSync(join(this.env.dataDir, 'pg', 'postmaster.pid'), 'utf8').split('\n')[0]);
    } catch {
      return undefined;
    }
  }

  /** SIGTERM (clean stop: closes the agent listeners and the embedded database); SIGKILL after `graceMs`. */
  async stop(graceMs = 60_000): Promise<{ ms: number; code: number | null; signal: NodeJS.Signals | null }> {
    const started = performance.now();
    this.stopping = true;
    if (this.child.exitCode === null && this.child.signalCode === null) this.child.kill('SIGTERM');
    const timer = setTimeout(() => this.child.kill('SIGKILL'), graceMs);
    const result = await this.exited;
    clearTimeout(timer);
    return { ms: performance.now() - started, ...result };
  }

  lastLines(): string[] {
    return [...this.tail];
  }

  private watchOutput(timeoutMs: number): Promise<void> {
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => {
        reject(new Error(`central did not print "${READY_LINE}" within ${timeoutMs} ms`));
      }, timeoutMs);
      void this.exited.then(({ code, signal }) => {
        clearTimeout(timer);
        if (this.readyAt === undefined) {
          reject(
            new Error(`central exited (${signal ?? code}) before it was ready:\n${this.tail.join('\n')}`),
          );
        }
      });
      const lines = (stream: NodeJS.ReadableStream) => {
        let partial = '';
        stream.setEncoding('utf8');
        stream.on('data', (chunk: string) => {
          this.log.write(chunk);
          const parts = (partial + chunk).split('\n');
          partial = parts.pop() ?? '';
          for (const line of parts) {
            this.tail.push(line);
            if (this.tail.length > 40) this.tail.shift();
            this.digest.add(line);
            if (this.readyAt === undefined && line.includes(READY_LINE)) {
              this.readyAt = Date.now();
              clearTimeout(timer);
              resolve();
            }
          }
        });
      };
      lines(this.child.stdout!);
      lines(this.child.stderr!);
    });
  }
}
