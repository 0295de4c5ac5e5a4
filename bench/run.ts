/**
 * `npm run bench`: the connection baseline for each N of `--agents 1000,10000` (or env BENCH_AGENTS,
 * default 1000), printed as one table. Progress goes to stderr, the table and details to stdout.
 * `npm run bench -- rollout …` runs the rollout bench instead (bench/rollout/rollout-cli.ts).
 *
 *   node dist/bench/run.js [--agents 1000,10000] [--concurrency 100] [--no-all-secure]
 *                          [--reconnect-timeout 180] [--json results.json] [--keep]
 *                          [--targets switchyard,bare,nginx] [--swarm-processes K] [--workers W]
 *                          [--no-ceiling-restart] [--phase-deadline 600]
 *
 * `--phase-deadline` (seconds) bounds each connect phase; at 100,000 agents on 2 cores connecting all
 * over wss takes longer than the default 600 s (92,010 were in when it ran out on 2026-12-07).
 */
import { parseTargets, parseWorkers, socketsPerProcess } from './ceiling/ceiling-cli.js';
import { type CeilingTargetName } from './ceiling/figures.js';
import { fail, log, parseAgents, positive, runEachN, warnIfOldNode } from './cli-common.js';
import { formatReport } from './connections/report.js';
import { DEFAULT_CONNECTION_OPTIONS, runConnectionBench } from './connections/run-connections.js';
import { runRolloutCli } from './rollout/rollout-cli.js';

interface Args {
  agents: number[];
  concurrency: number;
  allSecure: boolean;
  reconnectTimeoutMs: number;
  json: string | undefined;
  keep: boolean;
  targets: CeilingTargetName[];
  swarmProcesses: number | undefined;
  workers: string | undefined;
  ceilingRestart: boolean;
  phaseDeadlineMs: number;
}

function parseArgs(argv: string[]): Args {
  const args: Args = {
    agents: parseAgents(process.env.BENCH_AGENTS ?? '1000'),
    concurrency: DEFAULT_CONNECTION_OPTIONS.concurrency,
    allSecure: DEFAULT_CONNECTION_OPTIONS.allSecure,
    reconnectTimeoutMs: DEFAULT_CONNECTION_OPTIONS.reconnectTimeoutMs,
    json: undefined,
    keep: process.env.BENCH_KEEP === '1',
    targets: DEFAULT_CONNECTION_OPTIONS.targets,
    swarmProcesses: undefined,
    workers: undefined,
    ceilingRestart: true,
    phaseDeadlineMs: DEFAULT_CONNECTION_OPTIONS.phaseDeadlineMs,
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
      case '--targets':
        args.targets = parseTargets(value());
        break;
      case '--swarm-processes':
        args.swarmProcesses = positive(value(), flag);
        break;
      case '--workers':
        args.workers = parseWorkers(value());
        break;
      case '--no-ceiling-restart':
        args.ceilingRestart = false;
        break;
      case '--phase-deadline':
        args.phaseDeadlineMs = positive(value(), flag) * 1000;
        break;
      default:
        fail(`unknown argument ${argv[i]}`);
    }
  }
  return args;
}

async function main(): Promise<void> {
  warnIfOldNode('bench');
  if (process.argv[2] === 'rollout') return runRolloutCli(process.argv.slice(3));
  const args = parseArgs(process.argv.slice(2));
  await runEachN({
    name: 'connection bench',
    agents: args.agents,
    json: args.json,
    run: (agents, signal) =>
      runConnectionBench({
        ...DEFAULT_CONNECTION_OPTIONS,
        agents,
        concurrency: args.concurrency,
        allSecure: args.allSecure,
        reconnectTimeoutMs: args.reconnectTimeoutMs,
        targets: args.targets,
        swarmProcesses: args.swarmProcesses,
        workers: args.workers,
        ceilingRestart: args.ceilingRestart,
        phaseDeadlineMs: args.phaseDeadlineMs,
        maxSocketsPerProcess: socketsPerProcess(),
        heartbeatIntervalMs: process.env.BENCH_HEARTBEAT_MS
          ? Number(process.env.BENCH_HEARTBEAT_MS)
          : undefined,
        databaseUrl: process.env.BENCH_DATABASE_URL || undefined,
        keepTempDir: args.keep,
        signal,
        log,
      }),
    report: formatReport,
  });
}

main().catch((error: Error) => {
  console.error(`bench failed: ${error.stack ?? error.message}`);
  process.exit(1);
});
