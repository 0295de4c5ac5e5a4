/**
 * Connection baseline: N simulated agents (half plain, half secure) against one real central process
 * on its embedded PostgreSQL — memory and CPU per agent, connect time, and the way back after a restart.
 */
import { randomBytes } from 'node:crypto';
import { chmodSync, mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { BenchContext } from './bench-context.js';
import { removeBenchDataDir } from './bench-data-dir.js';
import {
  LOCAL_ADDRESSES,
  MAX_AGENTS_PER_SWARM,
  freePorts,
  startSwarms,
  waitForListeners,
} from './bench-setup.js';
import { LogDigest, type CentralEnv } from './central-process.js';
import { type ConnectionBenchResult } from './results.js';
import { sleep } from './stats.js';

export interface ConnectionBenchOptions {
  agents: number;
  /** Also measure a phase with every agent on wss (one more central restart). */
  allSecure: boolean;
  /** In-flight connection attempts, all swarms together. */
  concurrency: number;
  /** Sockets per swarm process (at most MAX_AGENTS_PER_SWARM). */
  agentsPerSwarm: number;
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
  // The connection figures in docs/benchmarks.md were measured with two processes of 5,000.
  agentsPerSwarm: 5000,
  idleMs: 5000,
  attemptTimeoutMs: 30_000,
  phaseDeadlineMs: 600_000,
  reconnectTimeoutMs: 180_000,
  heartbeatIntervalMs: undefined,
  databaseUrl: undefined,
  keepTempDir: false,
};

const SETTLE_MS = 3000;

export async function runConnectionBench(options: ConnectionBenchOptions): Promise<ConnectionBenchResult> {
  const started = performance.now();
  const n = options.agents;
  const swarmCount = Math.ceil(n / Math.min(options.agentsPerSwarm, MAX_AGENTS_PER_SWARM));
  const problems: string[] = [];
  const digest = new LogDigest();
  const result: ConnectionBenchResult = {
    agents: n,
    swarms: swarmCount,
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
  };
  const log = options.log;
  const ctx = new BenchContext(env, join(root, 'central.log'), digest, options, problems, log);
  const onAbort = () => void Promise.all(ctx.swarms.map((s) => s.stop()));
  options.signal?.addEventListener('abort', onAbort);
  try {
    options.signal?.throwIfAborted();
    log(`N=${n}: central data in ${root}; ${swarmCount} swarm process(es)`);
    await ctx.startCentral();
    await ctx.api.listenOn(plainPort, securePort);
    await waitForListeners(ctx, plainPort, securePort);
    const token = await ctx.api.enrollmentToken();
    const ca = await ctx.api.serverChainPem();

    const sizes = await startSwarms(ctx, n, swarmCount, {
      plainUrl: `ws://127.0.0.1:${plainPort}`,
      secureUrl: `wss://127.0.0.1:${securePort}`,
      ca,
      enrollmentToken: token,
      localAddresses: LOCAL_ADDRESSES,
      concurrency: Math.max(1, Math.ceil(options.concurrency / swarmCount)),
      attemptTimeoutMs: options.attemptTimeoutMs,
      backoff: { baseMs: 500, capMs: 10_000 },
    });
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
    }
    await ctx.disconnectAll();
  } catch (error) {
    result.error = (error as Error).message;
    log(`N=${n}: stopped early: ${result.error}`);
  } finally {
    options.signal?.removeEventListener('abort', onAbort);
    await ctx.shutdown();
    result.centralLog = { lines: digest.lines, warnings: digest.top(12) };
    result.durationMs = performance.now() - started;
    removeBenchDataDir(root, options.keepTempDir, log);
  }
  return result;
}
