/**
 * The measured part of the rollout bench: POST a `synchronize` rollout of one revision to every agent,
 * wait for every agent's `synchronized` (or a deadline), then for the rollout API to agree (or a settle
 * time), sampling central's RSS every 100 ms throughout.
 */
import { type BenchContext } from '../connections/bench-context.js';
import { machineCpu, stealPercent } from '../connections/proc-stats.js';
import { treeCpuMs } from '../connections/process-tree.js';
import { epochNow, mergeCounts, sleep } from '../connections/stats.js';
import { type DeliveryTiming, type Failures } from '../connections/swarm-protocol.js';
import { awaitDeliveries } from './await-deliveries.js';
import { type CentralProfiler, type CpuProfile, type HeapSamplingProfile } from './central-profiler.js';
import { countersDelta, readDatabaseCounters } from './database-stats.js';
import { DbActivitySampler } from './db-activity-sampler.js';
import { compareWithApi, deliveryFigures, type ApiComparison } from './delivery-figures.js';
import { ProcessSampler } from './process-sampler.js';
import { logAllStatements, logSize, statementCosts } from './statement-log.js';
import { type RevisionSummary, type RolloutApi } from './rollout-api.js';
import { type PushResult } from './results.js';

export interface PushLimits {
  /** POST → every agent acknowledged; past it, the missing ones are reported. */
  pushDeadlineMs: number;
  /** After the agents are done: how long the API may take to show the same. */
  apiSettleMs: number;
  signal?: AbortSignal;
  log: (line: string) => void;
  /** Central's database, for its statistics before and after (undefined: not read). */
  statsDatabaseUrl?: string;
  /** Logs every statement of the embedded PostgreSQL from the POST to the last ack, and sums them up. */
  statementLog?: { url: string; file: string };
  /** Profiles central's CPU from the POST to the last acknowledgement; the profile goes to `onProfile`. */
  profiler?: { inspector: CentralProfiler; onProfile: (profile: CpuProfile) => void };
  /** Samples central's allocations over the same window; the sampling profile goes to `onProfile`. */
  allocations?: { inspector: CentralProfiler; onProfile: (profile: HeapSamplingProfile) => void };
}

const STATS_FLUSH_MS = 11_000;

export async function pushPhase(
  ctx: BenchContext,
  api: RolloutApi,
  profile: string,
  revision: RevisionSummary,
  agentIds: string[],
  limits: PushLimits,
): Promise<PushResult> {
  const { log } = limits;
  const n = agentIds.length;
  await ctx.eachSwarm({ type: 'mark' }, 'status');

  // Central's process tree (the primary and its cluster workers in cluster mode, without the embedded
  // PostgreSQL), read once: a worker replaced during the push would be a problem of its own (the log says).
  const pids = ctx.centralPids();
  const sampler = new ProcessSampler(pids, 100);
  const swarm0 = ctx.swarmCpuMs();
  const db0 = ctx.dbCpuMs();
  const db = limits.statsDatabaseUrl;
  const dbBefore = db ? await readDatabaseCounters(db) : undefined;
  const statementLog = limits.statementLog;
  let logFrom = 0;
  if (statementLog) {
    await logAllStatements(statementLog.url, true);
    await sleep(500); // backends pick the setting up at their next command
    logFrom = logSize(statementLog.file);
  }
  const activity = db ? new DbActivitySampler(db, 100) : undefined;
  await activity?.start();
  const cpu0 = treeCpuMs(pids);
  const machine0 = machineCpu();
  await limits.profiler?.inspector.start();
  await limits.allocations?.inspector.startAllocations();
  sampler.start();
  try {
    const startedAt = epochNow();
    log(
      `push: POST /api/rollouts (synchronize ${profile} r${revision.revision}, ${revision.sizeBytes} bytes) to ${n} agents`,
    );
    const rolloutId = await api.synchronizeToAll(profile, revision.revision);
    const postMs = epochNow() - startedAt;

    const agentsDoneMs = await awaitDeliveries(ctx, n, startedAt, {
      deadlineMs: limits.pushDeadlineMs,
      label: 'push',
      signal: limits.signal,
      log,
    });
    // CPU is counted from the POST to the last acknowledgement; memory until the API agrees too.
    const centralCpuMs = treeCpuMs(pids) - cpu0;
    const dbCpuMs = ctx.dbCpuMs() - db0;
    const swarmCores = (ctx.swarmCpuMs() - swarm0) / agentsDoneMs;
    const machineStealPercent = stealPercent(machine0, machineCpu());
    if (limits.profiler) limits.profiler.onProfile(await limits.profiler.inspector.stop());
    if (limits.allocations)
      limits.allocations.onProfile(await limits.allocations.inspector.stopAllocations());
    if (statementLog) await logAllStatements(statementLog.url, false);
    const dbActivity = await activity?.stop();
    let reports = await ctx.eachSwarm({ type: 'deliveries' }, 'deliveries');
    const states = agentStates(
      agentIds,
      reports.flatMap((r) => r.timings),
    );
    log(`push: agents done after ${(agentsDoneMs / 1000).toFixed(1)} s; asking the rollout API`);

    let comparison: ApiComparison = { states: {}, agrees: false, disagreements: ['never answered'] };
    let rolloutState = 'unknown';
    let apiAllSynchronizedMs: number | undefined;
    let apiPolls = 0;
    const settleUntil = performance.now() + limits.apiSettleMs;
    for (;;) {
      const rollout = await api.rollout(rolloutId);
      apiPolls++;
      const at = epochNow() - startedAt;
      rolloutState = rollout.state;
      comparison = compareWithApi(rollout, states);
      if (
        apiAllSynchronizedMs === undefined &&
        rollout.agents.length === n &&
        rollout.agents.every((a) => a.state === 'synchronized')
      )
        apiAllSynchronizedMs = at;
      if (comparison.agrees || performance.now() > settleUntil) break;
      limits.signal?.throwIfAborted();
      await sleep(500);
    }
    const window = sampler.stop();
    let database;
    if (db && dbBefore) {
      // Backends publish their counters when idle, at most every second (10 s when contended).
      await sleep(STATS_FLUSH_MS);
      database = { ...countersDelta(dbBefore, await readDatabaseCounters(db)), apiPolls };
    }
    reports = await ctx.eachSwarm({ type: 'deliveries' }, 'deliveries');
    const timings = reports.flatMap((r) => r.timings);
    const figures = deliveryFigures(timings, startedAt);
    const failures: Failures = {};
    const invalid: Failures = {};
    for (const r of reports) {
      mergeCounts(failures, r.failures);
      mergeCounts(invalid, r.invalid);
    }
    const peakKb = Math.max(window.rssPeakKb, window.hwmPeakKb ?? 0);
    log(
      `push: ${figures.synchronized}/${n} synchronized, API ${comparison.agrees ? 'agrees' : 'DISAGREES'} (${JSON.stringify(comparison.states)}, rollout ${rolloutState}); ` +
        `central RSS ${(window.rssBeforeKb / 1024).toFixed(0)} → peak ${(peakKb / 1024).toFixed(0)} MB over ${pids.length} process(es)`,
    );
    return {
      agents: n,
      rolloutId,
      postMs,
      received: timings.length,
      synchronized: figures.synchronized,
      failed: figures.failed,
      missing: n - timings.length,
      failures,
      repeated: reports.reduce((a, r) => a + r.repeated, 0),
      invalid,
      sizeBytes: figures.sizeBytes,
      wallMs: figures.wallMs,
      firstFrameMs: figures.firstFrameMs,
      frameMs: figures.frameMs,
      agentMs: figures.agentMs,
      sinceStartMs: figures.sinceStartMs,
      synchronizingMs: figures.synchronizingMs,
      queuedMs: figures.queuedMs,
      downloadMs: figures.downloadMs,
      apiAllSynchronizedMs,
      rolloutState,
      apiStates: comparison.states,
      apiAgrees: comparison.agrees,
      apiDisagreements: comparison.disagreements,
      rssBeforeKb: window.rssBeforeKb,
      rssPeakKb: window.rssPeakKb,
      hwmPeakKb: window.hwmPeakKb,
      rssAfterKb: window.rssAfterKb,
      extraKb: peakKb - window.rssBeforeKb,
      centralProcesses: pids.length,
      centralCpuMs,
      centralCores: centralCpuMs / agentsDoneMs,
      dbCpuMs,
      swarmCores,
      machineStealPercent,
      swarmEventLoopDelayMaxMs: Math.max(...reports.map((r) => r.eventLoopDelayMaxMs)),
      agentsDoneMs,
      windowMs: window.wallMs,
      database,
      dbActivity,
      statements: statementLog ? statementCosts(statementLog.file, logFrom, 12) : undefined,
    };
  } finally {
    sampler.dispose();
    await activity?.stop();
  }
}

function agentStates(
  ids: string[],
  timings: DeliveryTiming[],
): Map<string, 'synchronized' | 'failed' | 'none'> {
  const states = new Map<string, 'synchronized' | 'failed' | 'none'>(ids.map((id) => [id, 'none']));
  for (const t of timings) states.set(t.agentId, t.state);
  return states;
}
