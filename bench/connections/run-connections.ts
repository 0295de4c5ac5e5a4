/**
 * Connection baseline: N simulated agents (half plain, half secure) against one real central process
 * on its embedded PostgreSQL — memory and CPU per agent, connect time, and the way back after a restart.
 */
import { randomBytes } from 'node:crypto';
import { chmodSync, mkdtempSync } from 'node:fs';
import { loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { type CeilingTargetName } from '../ceiling/figures.js';
import { heldNow, runCeilingTargets, switchyardFigures } from '../ceiling/run-ceiling.js';
import {
  DEFAULT_MAX_SOCKETS_PER_PROCESS,
  defaultSwarmProcesses,
  planSwarms,
  sourceAddresses,
} from '../ceiling/spread-plan.js';
import { makeTlsFixture } from '../ceiling/tls-fixture.js';
import { BenchContext } from './bench-context.js';
import { removeBenchDataDir } from './bench-data-dir.js';
import { freePorts, startSwarms, waitForListeners } from './bench-setup.js';
import { LogDigest, type CentralEnv } from './central-process.js';
import { type ConnectionBenchResult } from './results.js';
import { sleep } from './stats.js';
import { type SwarmConfig } from './swarm-protocol.js';
import { type SwarmSlot } from '../ceiling/spread-plan.js';

export interface ConnectionBenchOptions {
  agents: number;
  /** Also measure a phase with every agent on wss (one more central restart). */
  allSecure: boolean;
  /** In-flight connection attempts, all swarms together. */
  concurrency: number;
  /**
   * Reconnection attempts in flight after a restart, all swarms together. Real agents each have their
   * own CPU; a swarm process simulating 10,000 of them does not. Unbounded, 50,000 agents reconnecting
   * stalled the swarms' event loops for 52 s, their attempts timed out and were retried, and neither
   * central nor the bare ws server got a single agent back in 300 s: the load generator measured itself.
   */
  reconnectConcurrency: number;
  /** Swarm processes; by default two from 2,000 agents on, then one per 10,000 (spread-plan.ts). */
  swarmProcesses: number | undefined;
  /** Sockets one process may hold here (the hard open-files limit less a margin). */
  maxSocketsPerProcess: number;
  /** What the swarm connects to: Switchyard's phases, and the ceilings it is compared with. */
  targets: CeilingTargetName[];
  /** SWITCHYARD_WORKERS for central, and the number of bare `ws` processes / nginx workers. */
  workers: string | undefined;
  /** Restart each ceiling target too, for the time-back ratio. */
  ceilingRestart: boolean;
  idleMs: number;
  attemptTimeoutMs: number;
  phaseDeadlineMs: number;
  reconnectTimeoutMs: number;
  heartbeatIntervalMs: number | undefined;
  /** An external, empty PostgreSQL database instead of the embedded one. */
  databaseUrl: string | undefined;
  keepTempDir: boolean;
  /** Aborting stops the swarms at once; the run then cleans up and returns what it measured. */
  signal?: AbortSignal;
  log: (line: string) => void;
}

export const DEFAULT_CONNECTION_OPTIONS: Omit<ConnectionBenchOptions, 'agents' | 'log' | 'signal'> = {
  allSecure: true,
  concurrency: 100,
  reconnectConcurrency: 1000,
  swarmProcesses: undefined,
  maxSocketsPerProcess: DEFAULT_MAX_SOCKETS_PER_PROCESS,
  targets: ['switchyard', 'bare', 'nginx'],
  workers: undefined,
  ceilingRestart: true,
  idleMs: 5000,
  attemptTimeoutMs: 30_000,
  phaseDeadlineMs: 600_000,
  reconnectTimeoutMs: 180_000,
  heartbeatIntervalMs: undefined,
  databaseUrl: undefined,
  keepTempDir: false,
};

const SETTLE_MS = 3000;
/** Central's default heartbeat (SWITCHYARD_HEARTBEAT_INTERVAL_MS): the bare server pings as often. */
const DEFAULT_HEARTBEAT_MS = 15_000;

export async function runConnectionBench(options: ConnectionBenchOptions): Promise<ConnectionBenchResult> {
  const started = performance.now();
  const n = options.agents;
  const addresses = sourceAddresses(n);
  const plan = planSwarms(
    n,
    options.swarmProcesses ?? defaultSwarmProcesses(n),
    addresses,
    options.maxSocketsPerProcess,
  );
  const swarmCount = plan.length;
  const switchyard = options.targets.includes('switchyard');
  const problems: string[] = [];
  const digest = new LogDigest();
  const result: ConnectionBenchResult = {
    agents: n,
    swarms: swarmCount,
    sourceAddresses: addresses.length,
    targets: options.targets,
    workers: options.workers,
    loadAverage: { start: loadavg(), end: [] },
    startedAt: new Date().toISOString(),
    durationMs: 0,
    centralLog: { lines: 0, warnings: [] },
    problems,
  };
  // The parent of the data directory must be world-readable: the embedded PostgreSQL runs as `postgres`.
  const root = mkdtempSync(join(tmpdir(), 'sy-bench-connections-'));
  chmodSync(root, 0o755);
  const [httpPort, plainPort, securePort] = await freePorts(3);
  const env: CentralEnv = {
    dataDir: join(root, 'data'),
    httpPort,
    adminPassword: `bench-${randomBytes(12).toString('base64url')}`,
    databaseUrl: options.databaseUrl,
    heartbeatIntervalMs: options.heartbeatIntervalMs,
    workers: options.workers,
    // As an operator sizes it (README): without it `auto` counts cores only, and two workers' descriptor
    // budgets (19,000 each here) refused 12,000 of 50,000 agents with 503.
    fleetSize: n,
  };
  const tls = makeTlsFixture(root);
  const log = options.log;
  const ctx = new BenchContext(env, join(root, 'central.log'), digest, options, problems, log);
  const onAbort = () => void Promise.all(ctx.swarms.map((s) => s.stop()));
  options.signal?.addEventListener('abort', onAbort);
  try {
    options.signal?.throwIfAborted();
    log(
      `N=${n}: data in ${root}; ${swarmCount} swarm process(es), ${addresses.length} source addresses; targets ${options.targets.join(', ')}`,
    );
    const sizes = plan.map((slot) => slot.size);
    if (switchyard) {
      try {
        await runSwitchyard(ctx, result, plan, options, [plainPort, securePort]);
      } catch (error) {
        // Its figures are lost, not the ceilings': record why, clean up, and go on when the swarms can.
        result.error = `switchyard: ${(error as Error).message}`;
        log(`N=${n}: Switchyard's phases stopped early: ${result.error}`);
        options.signal?.throwIfAborted();
        await ctx.stopCentral();
        if (ctx.swarms.length > 0) await ctx.disconnectAll();
      }
    }
    if (ctx.swarms.length === 0) {
      // Ceilings only (or central never came up): they check no secret, the swarm dials no plain URL.
      await startSwarms(
        ctx,
        n,
        swarmCount,
        swarmConfig(options, swarmCount, 'ws://127.0.0.1:9', 'wss://127.0.0.1:9', tls.certPem, 'no-token'),
        (i) => plan[i].localAddresses,
      );
    }
    const ceilings = options.targets.filter((t) => t !== 'switchyard');
    if (ceilings.length > 0) {
      result.ceiling = await runCeilingTargets(ctx, sizes, {
        agents: n,
        targets: ceilings,
        serverProcesses:
          options.workers && /^\d+$/.test(options.workers) ? Number(options.workers) : undefined,
        restart: options.ceilingRestart,
        reconnectTimeoutMs: options.reconnectTimeoutMs,
        heartbeatIntervalMs: options.heartbeatIntervalMs ?? DEFAULT_HEARTBEAT_MS,
        tls,
        dir: root,
        clientSources: addresses,
        log,
      });
    }
    if (switchyard) {
      const phase = result.allSecure ?? result.secure;
      result.ceiling = [
        switchyardFigures(
          phase,
          result.switchyardHeld ?? phase?.ok ?? 0,
          result.restart && {
            agents: result.restart.agents,
            back: result.restart.reconnected,
            missing: result.restart.missing,
            backMs: result.restart.reconnectMs,
          },
        ),
        ...(result.ceiling ?? []),
      ];
    }
  } catch (error) {
    result.error = (error as Error).message;
    log(`N=${n}: stopped early: ${result.error}`);
  } finally {
    options.signal?.removeEventListener('abort', onAbort);
    await ctx.shutdown();
    result.centralLog = { lines: digest.lines, warnings: digest.top(12) };
    result.loadAverage.end = loadavg();
    result.durationMs = performance.now() - started;
    removeBenchDataDir(root, options.keepTempDir, log);
  }
  return result;
}

function swarmConfig(
  options: ConnectionBenchOptions,
  swarmCount: number,
  plainUrl: string,
  secureUrl: string,
  ca: string,
  enrollmentToken: string,
): Omit<SwarmConfig, 'agentIds'> {
  return {
    plainUrl,
    secureUrl,
    ca,
    enrollmentToken,
    localAddresses: [],
    concurrency: Math.max(1, Math.ceil(options.concurrency / swarmCount)),
    reconnectConcurrency: Math.max(1, Math.ceil(options.reconnectConcurrency / swarmCount)),
    attemptTimeoutMs: options.attemptTimeoutMs,
    backoff: { baseMs: 500, capMs: 10_000 },
  };
}

/**
 * Switchyard's phases (enroll, half plain / half secure, restart, all secure) on a real central; leaves
 * the swarms started, idle and disconnected, and central stopped, for the ceiling targets.
 */
async function runSwitchyard(
  ctx: BenchContext,
  result: ConnectionBenchResult,
  plan: SwarmSlot[],
  options: ConnectionBenchOptions,
  [plainPort, securePort]: number[],
): Promise<void> {
  const problems = result.problems;
  await ctx.startCentral();
  await ctx.api.listenOn(plainPort, securePort);
  await waitForListeners(ctx, plainPort, securePort);
  const token = await ctx.api.enrollmentToken();
  const ca = await ctx.api.serverChainPem();

  const sizes = await startSwarms(
    ctx,
    options.agents,
    plan.length,
    swarmConfig(
      options,
      plan.length,
      `ws://127.0.0.1:${plainPort}`,
      `wss://127.0.0.1:${securePort}`,
      ca,
      token,
    ),
    (i) => plan[i].localAddresses,
  );
  const all = (i: number) => ({ from: 0, to: sizes[i] });
  const firstHalf = (i: number) => ({ from: 0, to: Math.floor(sizes[i] / 2) });
  const secondHalf = (i: number) => ({ from: Math.floor(sizes[i] / 2), to: sizes[i] });

  // Enrollment (token → credential) on a central of its own, so the measured ones start clean.
  result.enroll = await ctx.connectPhase('enroll', 'plain', all, true);
  await ctx.disconnectAll();
  await ctx.stopCentral();

  await ctx.startCentral();
  await sleep(SETTLE_MS);
  result.plain = await ctx.connectPhase('plain', 'plain', firstHalf, false);
  result.secure = await ctx.connectPhase('secure', 'secure', secondHalf, false);
  const connected = result.plain.ok + result.secure.ok;
  result.mixedKbPerAgent = (result.secure.rssAfterKb - result.plain.rssBeforeKb) / Math.max(connected, 1);
  result.mixedAgentCounts = await ctx.api.agentCounts();
  const online =
    (result.mixedAgentCounts['online/plain'] ?? 0) + (result.mixedAgentCounts['online/secure'] ?? 0);
  if (online !== connected) {
    problems.push(`${connected} agents hold a welcomed session but the API lists ${online} online`);
  }

  result.restart = await ctx.restartPhase();
  const back =
    (result.restart.agentCounts['online/plain'] ?? 0) + (result.restart.agentCounts['online/secure'] ?? 0);
  if (back !== result.restart.reconnected) {
    problems.push(
      `${result.restart.reconnected} agents are back after the restart but the API lists ${back} online`,
    );
  }

  if (options.allSecure) {
    await ctx.disconnectAll();
    await ctx.stopCentral();
    await ctx.startCentral();
    await sleep(SETTLE_MS);
    result.allSecure = await ctx.connectPhase('all-secure', 'secure', all, false);
    result.switchyardHeld = await heldNow(ctx);
  }
  await ctx.disconnectAll();
  // The ceilings get the machine to themselves: an idle central still takes CPU and memory.
  await ctx.stopCentral();
}
