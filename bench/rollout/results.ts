import { type ConnectPhaseResult } from '../connections/results.js';
import { type Spread } from '../connections/stats.js';
import { type Failures } from '../connections/swarm-protocol.js';
import { type AllocationSummary } from './allocation-summary.js';
import { type ProfileSummary } from './cpu-profile-summary.js';
import { type DatabaseCounters } from './database-stats.js';
import { type DbActivity } from './db-activity-sampler.js';
import { type StatementCost } from './statement-log.js';

/** The delivery of one revision to every connected agent: from POST /api/rollouts to the last ack. */
export interface PushResult {
  agents: number;
  rolloutId: string;
  /** How long POST /api/rollouts took to answer. */
  postMs: number;
  /** Agents that got a `profile.sync`, acknowledged `synchronized`, `failed`, or got nothing. */
  received: number;
  synchronized: number;
  failed: number;
  missing: number;
  /** Failed downloads (and other failures the agents reported) by reason. */
  failures: Failures;
  /** `profile.sync` frames beyond the first per agent, and frames the agents could not parse. */
  repeated: number;
  invalid: Failures;
  /** Archive size as announced in the frames (and checked against the bytes). */
  sizeBytes: number;
  /** POST sent → the last agent's `synchronized` sent. */
  wallMs: number;
  /** POST sent → the first frame received (Infinity: none was). */
  firstFrameMs: number;
  /** POST sent → frame received, per agent: how fast central sends. */
  frameMs: Spread;
  /** Frame received → `synchronized` sent, per agent. */
  agentMs: Spread;
  /** POST sent → `synchronized` sent, per agent. */
  sinceStartMs: Spread;
  /** Frame received → `synchronizing` sent; waiting for a download slot; request → verified bytes. */
  synchronizingMs: Spread;
  queuedMs: Spread;
  downloadMs: Spread;
  /** POST sent → the API lists every agent `synchronized` (undefined: not within the settle time). */
  apiAllSynchronizedMs: number | undefined;
  rolloutState: string;
  /** Agents per state in GET /api/rollouts/:id at the end. */
  apiStates: Record<string, number>;
  /** Every agent that says synchronized is synchronized in the API, and the API lists no other. */
  apiAgrees: boolean;
  apiDisagreements: string[];
  /**
   * Central's RSS before the POST and at its peak until the API agreed (100 ms samples, and VmHWM), summed
   * over its processes (the primary and its cluster workers in cluster mode).
   */
  rssBeforeKb: number;
  rssPeakKb: number;
  hwmPeakKb: number | undefined;
  rssAfterKb: number;
  extraKb: number;
  /** Central's processes measured: 1, or the primary and its workers in cluster mode. */
  centralProcesses: number;
  /** POST → the bench saw every agent acknowledge (or the deadline). */
  agentsDoneMs: number;
  /**
   * CPU from the POST until every agent acknowledged, ms, and busy cores (CPU ÷ that wall time), summed
   * over central's processes.
   */
  centralCpuMs: number;
  centralCores: number;
  dbCpuMs: number;
  swarmCores: number;
  /**
   * Share of the machine's CPU time POST → last ack that the hypervisor gave to other guests (`steal`
   * in /proc/stat): on a shared host, the reason the same push takes longer at some hours than others.
   */
  machineStealPercent: number;
  swarmEventLoopDelayMaxMs: number;
  /** Length of the memory window: POST → API agrees (or gives up). */
  windowMs: number;
  /**
   * PostgreSQL statistics from before the POST to after the API agreed, including `apiPolls` reads of
   * GET /api/rollouts/:id (each returns every agent's row).
   */
  database?: DatabaseCounters & { apiPolls: number };
  /** Central's PostgreSQL connections from the POST to the last ack (pg_stat_activity every 100 ms). */
  dbActivity?: DbActivity;
  /** With --log-statements: PostgreSQL's statements from the POST to the last ack, by total duration. */
  statements?: StatementCost[];
}

/**
 * The same push with central replaced by bare `ws` servers (bare-push-phase.ts): the ceiling the push's
 * figures are compared with, measured with the same swarm in the same run.
 */
export interface BarePushResult {
  agents: number;
  /** Agents the bare servers welcomed, and the `profile.sync` frames they sent. */
  connected: number;
  sent: number;
  /** Bare server processes (one per ~19,000 sockets, sharing the port with `reusePort`). */
  processes: number;
  synchronized: number;
  failed: number;
  /** Push → the last agent's `synchronized`. */
  wallMs: number;
  frameMs: Spread;
  sinceStartMs: Spread;
  downloadMs: Spread;
  /** CPU of the bare servers from the push to the last acknowledgement, ms. */
  serverCpuMs: number;
  swarmCores: number;
  agentsDoneMs: number;
  loadAverage: { start: number[]; end: number[] };
}

export interface RolloutBenchResult {
  agents: number;
  swarms: number;
  /** SWITCHYARD_WORKERS as given (`--workers`); undefined: one process. */
  workers?: string;
  /** /proc/loadavg (1, 5, 15 min) when the run started and ended: the machine is shared. */
  loadAverage: { start: number[]; end: number[] };
  transport: 'plain' | 'secure';
  downloadConcurrency: number;
  startedAt: string;
  durationMs: number;
  connect?: ConnectPhaseResult;
  revision?: { profile: string; revision: number; sha256: string; sizeBytes: number };
  push?: PushResult;
  /** The ceiling: the same push from bare `ws` servers (`--targets switchyard,bare`, the default). */
  bare?: BarePushResult;
  /** Why the ceiling was not measured, when it was asked for. */
  bareSkipped?: string;
  /** With --profile-central: where central's CPU went from the POST to the last acknowledgement. */
  centralProfile?: ProfileSummary & { file: string };
  /** With --allocations-central: what central allocated from the POST to the last acknowledgement. */
  centralAllocations?: AllocationSummary & { file: string };
  centralLog: { lines: number; warnings: Array<{ line: string; count: number }> };
  problems: string[];
  error?: string;
}
