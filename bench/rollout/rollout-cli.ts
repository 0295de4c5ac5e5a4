/**
 * `npm run bench -- rollout` (or `npm run bench:rollout`): the rollout bench for each N of
 * `--agents 1000,10000` (default 1000), printed as one table; progress on stderr. Exits 1 when an agent
 * is missing, not synchronized, or the rollout API disagrees with the agents.
 *
 *   node dist/bench/run.js rollout [--agents 1000,10000] [--secure] [--archive-kb 50]
 *       [--agents-per-swarm 10000] [--workers auto|N] [--download-concurrency 256] [--push-deadline 120]
 *       [--api-settle 30] [--concurrency 100] [--profile-central push.cpuprofile]
 *       [--allocations-central push.heapprofile] [--log-statements]
 *       [--targets switchyard,bare] [--json results.json] [--keep]
 *
 * `--workers` runs central in cluster mode (SWITCHYARD_WORKERS, with N as SWITCHYARD_FLEET_SIZE; ADR 33):
 * one process holds ~19,500 sockets here, so 50,000 agents need it. Memory and CPU are then summed over
 * the primary and its workers. `--targets switchyard` leaves out the ceiling: by default the same swarm
 * then connects to bare `ws` servers that push an archive of the same size at once (bare-push-phase.ts),
 * and the report prints the push's ratio to it.
 */
import { parseTargets, parseWorkers } from '../ceiling/ceiling-cli.js';
import { fail, log, parseAgents, positive, runEachN } from '../cli-common.js';
import { MAX_AGENTS_PER_SWARM } from '../connections/bench-setup.js';
import { formatRolloutReport } from './rollout-report.js';
import { DEFAULT_ROLLOUT_OPTIONS, runRolloutBench, type RolloutBenchOptions } from './run-rollout.js';

interface Args {
  agents: number[];
  options: Omit<RolloutBenchOptions, 'agents' | 'log' | 'signal'>;
  json: string | undefined;
}

function parseArgs(argv: string[]): Args {
  const args: Args = {
    agents: parseAgents(process.env.BENCH_AGENTS ?? '1000'),
    options: {
      ...DEFAULT_ROLLOUT_OPTIONS,
      databaseUrl: process.env.BENCH_DATABASE_URL || undefined,
      keepTempDir: process.env.BENCH_KEEP === '1',
    },
    json: undefined,
  };
  const o = args.options;
  for (let i = 0; i < argv.length; i++) {
    const [flag, inline] = argv[i].split('=', 2);
    const value = () => inline ?? argv[++i] ?? fail(`${flag} needs a value`);
    switch (flag) {
      case '--agents':
        args.agents = parseAgents(value());
        break;
      case '--targets': {
        const targets = parseTargets(value());
        if (targets.includes('nginx')) fail('--targets: the rollout bench compares with bare only');
        if (!targets.includes('switchyard'))
          fail('--targets: the rollout bench always pushes through switchyard');
        o.bare = targets.includes('bare');
        break;
      }
      case '--secure':
        o.transport = 'secure';
        break;
      case '--archive-kb':
        o.archiveBytes = positive(value(), flag) * 1024;
        break;
      case '--concurrency':
        o.concurrency = positive(value(), flag);
        break;
      case '--agents-per-swarm':
        o.agentsPerSwarm = positive(value(), flag);
        if (o.agentsPerSwarm > MAX_AGENTS_PER_SWARM) fail(`${flag} must be at most ${MAX_AGENTS_PER_SWARM}`);
        break;
      case '--workers':
        o.workers = parseWorkers(value());
        break;
      case '--download-concurrency':
        o.downloadConcurrency = positive(value(), flag);
        break;
      case '--push-deadline':
        o.pushDeadlineMs = positive(value(), flag) * 1000;
        break;
      case '--api-settle':
        o.apiSettleMs = positive(value(), flag) * 1000;
        break;
      case '--log-statements':
        o.logStatements = true;
        break;
      case '--profile-central':
        o.profileCentral = value();
        break;
      case '--allocations-central':
        o.allocationsCentral = value();
        break;
      case '--json':
        args.json = value();
        break;
      case '--keep':
        o.keepTempDir = true;
        break;
      default:
        fail(`unknown argument ${argv[i]}`);
    }
  }
  if ((o.profileCentral || o.allocationsCentral) && o.workers !== undefined && o.workers !== '1')
    fail('--profile-central and --allocations-central inspect one central process: leave out --workers');
  return args;
}

export async function runRolloutCli(argv: string[]): Promise<void> {
  const args = parseArgs(argv);
  await runEachN({
    name: 'rollout bench',
    agents: args.agents,
    json: args.json,
    run: (agents, signal) => runRolloutBench({ ...args.options, agents, signal, log }),
    report: formatRolloutReport,
  });
}
