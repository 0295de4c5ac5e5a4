/**
 * The rollout bench's ceiling (issue 15: each figure with its bare ratio from the same run): after the
 * push through central, the same swarm connects to bare `ws` servers (bench/ceiling/bare-ws.ts) that
 * serve an archive of the same size and send `profile.sync` to every session at once, and the same
 * simulated agents download, verify and acknowledge it. No database, no credential check, no pacing:
 * what the machine allows for this push with these agents.
 */
import { createHash, randomBytes } from 'node:crypto';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { loadavg } from 'node:os';
import { startBare, type BarePushServer } from '../ceiling/ceiling-servers.js';
import { serverProcessesFor } from '../ceiling/spread-plan.js';
import { makeTlsFixture } from '../ceiling/tls-fixture.js';
import { type BenchContext } from '../connections/bench-context.js';
import { freePorts } from '../connections/bench-setup.js';
import { treeCpuMs } from '../connections/process-tree.js';
import { epochNow } from '../connections/stats.js';
import { type SwarmTransport } from '../connections/swarm-protocol.js';
import { awaitDeliveries } from './await-deliveries.js';
import { BENCH_PROFILE } from './bench-revision.js';
import { deliveryFigures } from './delivery-figures.js';
import { type BarePushResult } from './results.js';

export interface BarePushOptions {
  transport: SwarmTransport;
  /** The size of the revision central pushed: the bare archive is as large. */
  sizeBytes: number;
  /** The run's temp directory (archive, certificate). */
  dir: string;
  pushDeadlineMs: number;
  heartbeatIntervalMs: number;
  signal?: AbortSignal;
  log: (line: string) => void;
}

/** Every agent of every swarm (`sizes[i]` of swarm i) is connected to the bare server, then pushed to. */
export async function barePushPhase(
  ctx: BenchContext,
  sizes: number[],
  options: BarePushOptions,
): Promise<BarePushResult> {
  const { log } = options;
  const n = sizes.reduce((a, b) => a + b, 0);
  const bytes = randomBytes(options.sizeBytes);
  const sha256 = createHash('sha256').update(bytes).digest('hex');
  const file = join(options.dir, 'bare-archive.zip');
  writeFileSync(file, bytes);
  const tls = options.transport === 'secure' ? makeTlsFixture(options.dir) : undefined;
  const [port] = await freePorts(1);
  const processes = serverProcessesFor(n, 1);
  const loadStart = loadavg();
  const server: BarePushServer = await startBare({
    processes,
    port: port!,
    heartbeatIntervalMs: options.heartbeatIntervalMs,
    archive: { file, sha256 },
    ...(tls ? { tls } : {}),
  });
  try {
    await ctx.eachSwarm(
      {
        type: 'retarget',
        plainUrl: `ws://127.0.0.1:${port}`,
        secureUrl: `wss://127.0.0.1:${port}`,
        ca: tls?.certPem ?? '',
      },
      'status',
    );
    const connect = await ctx.connectPhase(
      'bare connect',
      options.transport,
      (i) => ({ from: 0, to: sizes[i] ?? 0 }),
      false,
      { pids: () => server.pids(), dbCpuMs: () => NaN, listenerConnections: async () => ({}) },
    );
    await ctx.eachSwarm({ type: 'mark' }, 'status');
    const swarm0 = ctx.swarmCpuMs();
    const cpu0 = treeCpuMs(server.pids());
    const startedAt = epochNow();
    log(`bare push: profile.sync (${options.sizeBytes} bytes) to ${connect.ok} agents at once`);
    const sent = await server.push({
      type: 'profile.sync',
      deliveryId: 'bare-push',
      profile: BENCH_PROFILE,
      revision: 1,
      sha256,
      sizeBytes: options.sizeBytes,
    });
    const agentsDoneMs = await awaitDeliveries(ctx, sent, startedAt, {
      deadlineMs: options.pushDeadlineMs,
      label: 'bare push',
      signal: options.signal,
      log,
    });
    const serverCpuMs = treeCpuMs(server.pids()) - cpu0;
    const swarmCores = (ctx.swarmCpuMs() - swarm0) / agentsDoneMs;
    const reports = await ctx.eachSwarm({ type: 'deliveries' }, 'deliveries');
    const figures = deliveryFigures(
      reports.flatMap((r) => r.timings),
      startedAt,
    );
    log(
      `bare push: ${figures.synchronized}/${n} synchronized, p99 ${(figures.sinceStartMs.p99 / 1000).toFixed(2)} s`,
    );
    return {
      agents: n,
      connected: connect.ok,
      processes,
      sent,
      synchronized: figures.synchronized,
      failed: figures.failed,
      wallMs: figures.wallMs,
      frameMs: figures.frameMs,
      sinceStartMs: figures.sinceStartMs,
      downloadMs: figures.downloadMs,
      serverCpuMs,
      swarmCores,
      agentsDoneMs,
      loadAverage: { start: loadStart, end: loadavg() },
    };
  } finally {
    await ctx.disconnectAll().catch(() => undefined);
    await server.stop();
  }
}
