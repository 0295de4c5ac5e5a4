/**
 * Rollout bench for one N: one real central (embedded PostgreSQL, temp data directory; one process, or a
 * primary and cluster workers with `workers`), N simulated agents enrolled and connected, a ~50 KB
 * revision prepared, then one `synchronize` rollout to all of them, measured (push-phase.ts). Everything
 * it starts is stopped by PID, its temp dir removed.
 */
import { randomBytes } from 'node:crypto';
import { chmodSync, mkdtempSync, writeFileSync } from 'node:fs';
import { loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { BenchContext } from '../connections/bench-context.js';
import { removeBenchDataDir } from '../connections/bench-data-dir.js';
import { planSwarms, sourceAddresses } from '../ceiling/spread-plan.js';
import {
  MAX_AGENTS_PER_SWARM,
  benchAgentId,
  freePorts,
  startSwarms,
  waitForListeners,
} from '../connections/bench-setup.js';
import { LogDigest, type CentralEnv } from '../connections/central-process.js';
import { sleep } from '../connections/stats.js';
import { type SwarmTransport } from '../connections/swarm-protocol.js';
import { BENCH_PROFILE, prepareBenchRevision } from './bench-revision.js';
import { CentralProfiler } from './central-profiler.js';
import { databaseUrlOf } from './database-stats.js';
import { summarizeProfile } from './cpu-profile-summary.js';
import { summarizeAllocations } from './allocation-summary.js';
import { barePushPhase } from './bare-push-phase.js';
import { pushPhase } from './push-phase.js';
import { type RolloutBenchResult } from './results.js';
import { RolloutApi } from './rollout-api.js';

export interface RolloutBenchOptions {
  agents: number;
  /** Also push from bare `ws` servers with the same swarm, for the ratio to the ceiling (bare-push-phase.ts). */
  bare: boolean;
  /** Which listener the agents connect to (and download from). */
  transport: SwarmTransport;
  /** Archive size to aim at, bytes. */
  archiveBytes: number;
  /** In-flight connection attempts while enrolling, all swarms together. */
  concurrency: number;
  /**
   * Simulated agents per swarm process (at most MAX_AGENTS_PER_SWARM). One process for 10,000:
   * every extra process competes with central and PostgreSQL for the same two cores (docs/benchmarks.md).
   */
  agentsPerSwarm: number;
  /**
   * SWITCHYARD_WORKERS for central (`auto` or a count; ADR 33), with the run's N as its fleet size.
   * Undefined: one process, as the figures before cluster mode. One process holds ~19,500 sockets here.
   */
  workers: string | undefined;
  /** In-flight downloads per swarm process. */
  downloadConcurrency: number;
  downloadTimeoutMs: number;
  pushDeadlineMs: number;
  apiSettleMs: number;
  /** Quiet time after everyone connected, before the push (central settles, GC runs). */
  idleMs: number;
  attemptTimeoutMs: number;
  phaseDeadlineMs: number;
  databaseUrl: string | undefined;
  /** Log and sum up every PostgreSQL statement during the push (embedded server only; slows it down). */
  logStatements: boolean;
  /** Write a CPU profile of central during the push to this file (`.cpuprofile`, Chrome DevTools). */
  profileCentral: string | undefined;
  /** Write a sampling heap profile of central's allocations during the push to this file (`.heapprofile`). */
  allocationsCentral: string | undefined;
  keepTempDir: boolean;
  signal?: AbortSignal;
  log: (line: string) => void;
}

export const DEFAULT_ROLLOUT_OPTIONS: Omit<RolloutBenchOptions, 'agents' | 'log' | 'signal'> = {
  bare: true,
  transport: 'plain',
  archiveBytes: 50 * 1024,
  concurrency: 100,
  agentsPerSwarm: 10_000,
  workers: undefined,
  downloadConcurrency: 256,
  downloadTimeoutMs: 30_000,
  pushDeadlineMs: 120_000,
  apiSettleMs: 30_000,
  idleMs: 5000,
  attemptTimeoutMs: 30_000,
  phaseDeadlineMs: 600_000,
  databaseUrl: undefined,
  profileCentral: undefined,
  allocationsCentral: undefined,
  logStatements: false,
  keepTempDir: false,
};

/** Central's default heartbeat interval (SWITCHYARD_HEARTBEAT_INTERVAL_MS), which the bare server copies. */
const BARE_HEARTBEAT_MS = 15_000;

export async function runRolloutBench(options: RolloutBenchOptions): Promise<RolloutBenchResult> {
  const started = performance.now();
  const n = options.agents;
  const swarmCount = Math.ceil(n / Math.min(options.agentsPerSwarm, MAX_AGENTS_PER_SWARM));
  // Swarms of nearly equal size, each dialling from its own rotation of the source addresses, so no
  // address runs out of ephemeral ports at 50,000 agents and more (as the connection bench spreads them).
  const plan = planSwarms(n, swarmCount, sourceAddresses(n), MAX_AGENTS_PER_SWARM);
  const clustered = options.workers !== undefined && options.workers !== '1';
  const inspected = options.profileCentral !== undefined || options.allocationsCentral !== undefined;
  if (clustered && inspected) {
    throw new Error(
      `--profile-central and --allocations-central inspect one process: run them without --workers (got --workers ${options.workers})`,
    );
  }
  const problems: string[] = [];
  const digest = new LogDigest();
  const result: RolloutBenchResult = {
    agents: n,
    swarms: swarmCount,
    workers: options.workers,
    loadAverage: { start: loadavg(), end: [] },
    transport: options.transport,
    downloadConcurrency: options.downloadConcurrency,
    startedAt: new Date().toISOString(),
    durationMs: 0,
    centralLog: { lines: 0, warnings: [] },
    problems,
  };
  // The parent of the data directory must be world-readable: the embedded PostgreSQL runs as `postgres`.
  const root = mkdtempSync(join(tmpdir(), 'sy-bench-rollout-'));
  chmodSync(root, 0o755);
  const [httpPort, plainPort, securePort, inspectPort] = await freePorts(4);
  const env: CentralEnv = {
    dataDir: join(root, 'data'),
    httpPort,
    adminPassword: `bench-${randomBytes(12).toString('base64url')}`,
    databaseUrl: options.databaseUrl,
    inspectPort: inspected ? inspectPort : undefined,
    workers: options.workers,
    // As an operator sizes it (README): `auto` then starts enough workers to hold all N agents.
    fleetSize: n,
  };
  let inspector: CentralProfiler | undefined;
  const log = options.log;
  const limits = { ...options, reconnectTimeoutMs: 0 };
  const ctx = new BenchContext(env, join(root, 'central.log'), digest, limits, problems, log);
  const onAbort = () => void Promise.all(ctx.swarms.map((s) => s.stop()));
  options.signal?.addEventListener('abort', onAbort);
  try {
    options.signal?.throwIfAborted();
    log(
      `N=${n}: central data in ${root}; ${clustered ? `cluster mode (--workers ${options.workers})` : 'one central process'}; ${swarmCount} swarm process(es)`,
    );
    await ctx.startCentral();
    await ctx.api.listenOn(plainPort, securePort);
    await waitForListeners(ctx, plainPort, securePort);
    const api = new RolloutApi(ctx.api);
    const revision = await prepareBenchRevision(api, options.archiveBytes, log);
    result.revision = { profile: BENCH_PROFILE, ...revision };

    const sizes = await startSwarms(
      ctx,
      n,
      swarmCount,
      {
        plainUrl: `ws://127.0.0.1:${plainPort}`,
        secureUrl: `wss://127.0.0.1:${securePort}`,
        ca: await ctx.api.serverChainPem(),
        enrollmentToken: await ctx.api.enrollmentToken(),
        localAddresses: [],
        concurrency: Math.max(1, Math.ceil(options.concurrency / swarmCount)),
        attemptTimeoutMs: options.attemptTimeoutMs,
        backoff: { baseMs: 500, capMs: 10_000 },
        profileDownload: { concurrency: options.downloadConcurrency, timeoutMs: options.downloadTimeoutMs },
      },
      (i) => plan[i]!.localAddresses,
    );
    // Enrollment with the token: each agent gets its credential and stays connected for the push.
    result.connect = await ctx.connectPhase(
      'connect',
      options.transport,
      (i) => ({ from: 0, to: sizes[i] }),
      true,
    );
    if (result.connect.ok < n) problems.push(`${n - result.connect.ok} of ${n} agents could not connect`);
    await sleep(1000);

    const agentIds = Array.from({ length: n }, (_, i) => benchAgentId(i));
    const file = options.profileCentral;
    const allocationsFile = options.allocationsCentral;
    if (inspected) inspector = await CentralProfiler.connect(inspectPort);
    const profiler =
      inspector && file
        ? {
            inspector,
            onProfile: (profile: Parameters<typeof summarizeProfile>[0]) => {
              writeFileSync(file, JSON.stringify(profile));
              result.centralProfile = { ...summarizeProfile(profile), file };
            },
          }
        : undefined;
    const allocations =
      inspector && allocationsFile
        ? {
            inspector,
            onProfile: (profile: Parameters<typeof summarizeAllocations>[0]) => {
              writeFileSync(allocationsFile, JSON.stringify(profile));
              result.centralAllocations = { ...summarizeAllocations(profile), file: allocationsFile };
            },
          }
        : undefined;
    const statsDatabaseUrl = databaseUrlOf(env.dataDir, options.databaseUrl);
    result.push = await pushPhase(ctx, api, BENCH_PROFILE, revision, agentIds, {
      ...options,
      profiler,
      allocations,
      statsDatabaseUrl,
      statementLog:
        options.logStatements && !options.databaseUrl
          ? { url: statsDatabaseUrl, file: join(env.dataDir, 'pg', 'server.log') }
          : undefined,
    });
    const push = result.push;
    if (push.missing > 0) problems.push(`${push.missing} of ${n} agents got no profile.sync`);
    if (push.synchronized < n)
      problems.push(`${n - push.synchronized} of ${n} agents are not synchronized (${push.failed} failed)`);
    if (!push.apiAgrees)
      problems.push(`the rollout API disagrees with the agents: ${push.apiDisagreements.join('; ')}`);
    await ctx.disconnectAll();
    if (options.bare) {
      // Central stays up (idle) meanwhile: stopping it would also stop the swarms this phase needs.
      result.bare = await barePushPhase(ctx, sizes, {
        transport: options.transport,
        sizeBytes: revision.sizeBytes,
        dir: root,
        pushDeadlineMs: options.pushDeadlineMs,
        heartbeatIntervalMs: BARE_HEARTBEAT_MS,
        signal: options.signal,
        log,
      });
      const bare = result.bare;
      if (bare.synchronized < n)
        problems.push(`bare ceiling: ${n - bare.synchronized} of ${n} agents not synchronized`);
    }
  } catch (error) {
    result.error = (error as Error).message;
    log(`N=${n}: stopped early: ${result.error}`);
  } finally {
    options.signal?.removeEventListener('abort', onAbort);
    inspector?.close();
    await ctx.shutdown();
    result.centralLog = { lines: digest.lines, warnings: digest.top(12) };
    result.loadAverage.end = loadavg();
    result.durationMs = performance.now() - started;
    removeBenchDataDir(root, options.keepTempDir, log);
  }
  return result;
}
