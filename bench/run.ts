/**
 * `npm run bench`: the connection baseline for each N of `--agents 1000,10000` (or env BENCH_AGENTS,
 * default 1000), printed as one table. Progress goes to stderr, the table and details to stdout.
 *
 *   node dist/bench/run.js [--agents 1000,10000] [--concurrency 100] [--no-all-secure]
 *                          [--reconnect-timeout 180] [--json results.json] [--keep]
 */
import { writeFileSync } from 'node:fs';
import { cpus, totalmem } from 'node:os';
import { formatReport } from './connections/report.js';
import { DEFAULT_CONNECTION_OPTIONS, runConnectionBench } from './connections/run-connections.js';
import { type ConnectionBenchResult } from './connections/results.js';

const MAX_AGENTS = 19 * 5000; // swarms of ≤ 5,000 sockets, and what one central process can hold

interface Args {
  agents: number[];
  concurrency: number;
  allSecure: boolean;
  reconnectTimeoutMs: number;
  json: string | undefined;
  keep: boolean;
}

function parseArgs(argv: string[]): Args {
  const args: Args = {
    agents: parseAgents(process.env.BENCH_AGENTS ?? '1000'),
    concurrency: DEFAULT_CONNECTION_OPTIONS.concurrency,
    allSecure: DEFAULT_CONNECTION_OPTIONS.allSecure,
    reconnectTimeoutMs: DEFAULT_CONNECTION_OPTIONS.reconnectTimeoutMs,
    json: undefined,
    keep: process.env.BENCH_KEEP === '1',
  };
  for (let i = 0; i < argv.length; i++) {
    const [flag, inline] = argv[i].split('=', 2);
    const value = () => inline ?? argv[++i] ?? fail(`${flag} needs a value`);
    switch (flag) {
      case '--agents':
        args.agents = parseAgents(value());
        break;
      case '--concurrency':
        args.concurrency = positive(value(), flag);
        break;
      case '--reconnect-timeout':
        args.reconnectTimeoutMs = positive(value(), flag) * 1000;
        break;
      case '--no-all-secure':
        args.allSecure = false;
        break;
      case '--json':
        args.json = value();
        break;
      case '--keep':
        args.keep = true;
        break;
      default:
        fail(`unknown argument ${argv[i]}`);
    }
  }
  return args;
}

function parseAgents(text: string): number[] {
  const list = text.split(',').map((s) => positive(s.trim(), 'agents'));
  for (const n of list) if (n < 2 || n > MAX_AGENTS) fail(`agents must be 2–${MAX_AGENTS}, got ${n}`);
  return list;
}

function positive(text: string, what: string): number {
  const n = Number(text);
  if (!Number.isInteger(n) || n < 1) fail(`${what} must be a positive whole number, got "${text}"`);
  return n;
}

function fail(message: string): never {
  console.error(`bench: ${message}`);
  process.exit(2);
}

function log(line: string): void {
  console.error(`[bench ${new Date().toISOString().slice(11, 19)}] ${line}`);
}

async function main(): Promise<void> {
  const args = parseArgs(process.argv.slice(2));
  const machine = `${cpus().length} × ${cpus()[0]?.model ?? 'cpu'}, ${(totalmem() / 2 ** 30).toFixed(0)} GiB, Node ${process.versions.node}`;
  log(`connection bench for N = ${args.agents.join(', ')} on ${machine}`);
  const results: ConnectionBenchResult[] = [];
  // Ctrl-C / SIGTERM: the running bench stops its own processes and removes its temp dir, then we exit.
  const abort = new AbortController();
  for (const signal of ['SIGINT', 'SIGTERM'] as const) {
    process.once(signal, () => {
      log(`${signal}: stopping the bench and what it started`);
      abort.abort(new Error(`interrupted by ${signal}`));
      process.once(signal, () => process.exit(130));
    });
  }
  for (const agents of args.agents) {
    if (abort.signal.aborted) break;
    results.push(
      await runConnectionBench({
        ...DEFAULT_CONNECTION_OPTIONS,
        agents,
        concurrency: args.concurrency,
        allSecure: args.allSecure,
        reconnectTimeoutMs: args.reconnectTimeoutMs,
        heartbeatIntervalMs: process.env.BENCH_HEARTBEAT_MS
          ? Number(process.env.BENCH_HEARTBEAT_MS)
          : undefined,
        databaseUrl: process.env.BENCH_DATABASE_URL || undefined,
        keepTempDir: args.keep,
        signal: abort.signal,
        log,
      }),
    );
  }
  console.log(formatReport(results, machine));
  if (args.json) writeFileSync(args.json, JSON.stringify({ machine, results }, null, 2) + '\n');
  if (abort.signal.aborted) process.exitCode = 130;
  else if (results.some((r) => r.error || r.problems.length > 0)) process.exitCode = 1;
}

main().catch((error: Error) => {
  console.error(`bench failed: ${error.stack ?? error.message}`);
  process.exit(1);
});
