import { type CeilingTargetName, type TargetFigures } from '../ceiling/figures.js';
import { type Failures } from './swarm-protocol.js';
import { type Spread } from './stats.js';

/** How busy the machine was during a phase: central and the simulated agents share its cores. */
export interface LoadFigures {
  /** Central's CPU time / wall time: 1.0 is one core busy the whole phase. */
  centralCores: number;
  /** The same for all swarm processes together. */
  swarmCores: number;
  /** Worst event-loop delay of a swarm: how late its timestamps can be. */
  swarmEventLoopDelayMaxMs: number;
  /** SYNs dropped because central's accept queue was full (system-wide counter of this host). */
  listenOverflows: number;
  synRetransmits: number;
}

/** One phase in which agents connect once each (no retry), then stay idle. */
export interface ConnectPhaseResult {
  name: string;
  transport: 'plain' | 'secure';
  agents: number;
  ok: number;
  failed: number;
  failures: Failures;
  wallMs: number;
  /** From the start of an agent's attempt (TCP connect) to its welcome. */
  latencyMs: Spread;
  /** utime + stime of the central node process during the phase, per agent that connected. */
  centralCpuMsPerAgent: number;
  /** CPU of the embedded PostgreSQL (all its processes) during the phase, per agent; NaN if external. */
  dbCpuMsPerAgent: number;
  rssBeforeKb: number;
  /** After every agent connected and `idleMs` passed. */
  rssAfterKb: number;
  kbPerAgent: number;
  /** What central's listeners report after the phase. */
  listenerConnections: Record<string, number>;
  load: LoadFigures;
  /** Processes measured at the end of the phase (central and its cluster workers, or a ceiling target's). */
  processes?: number;
}

export interface RestartResult {
  agents: number;
  /** SIGTERM → exit of the old central. */
  stopMs: number;
  stopExit: string;
  /** Spawn → ready line of the new central. */
  bootMs: number;
  /** Agents that got a welcome from the new central within the timeout. */
  reconnected: number;
  missing: number;
  /** From the new central's ready line to each agent's welcome (welcomes before it count as 0). */
  reconnectMs: Spread;
  welcomedBeforeReady: number;
  /** How the old central closed the sessions, by close code. */
  closes: Failures;
  /** Reconnections whose TLS handshake resumed the previous session (ADR 53; 0 for the bare ceiling). */
  resumedTls?: number;
  failuresBeforeReady: Failures;
  failuresAfterReady: Failures;
  /** When the failures after ready happened, ms after the ready line. */
  failedAfterReadyAtMs: Spread & { min: number };
  /** Attempt start (TCP connect) → welcome of the reconnections: how long central kept them waiting. */
  reconnectAttemptMs: Spread;
  centralCpuMsPerAgent: number;
  dbCpuMsPerAgent: number;
  rssAfterKb: number;
  listenerConnections: Record<string, number>;
  agentCounts: Record<string, number>;
  /** From the ready line until all are back. */
  load: LoadFigures;
  /** Slowest GET /api/health during the reconnection storm (polled every 250 ms). */
  apiHealthMaxMs: number;
  /**
   * The API's online count against the agents welcomed back, sampled every ~2 s from the ready line
   * (status truth during the storm, ADR 26); `apiOnline` is null when the API did not answer.
   */
  onlineOverTime: Array<{ atMs: number; welcomed: number; apiOnline: number | null }>;
}

export interface ConnectionBenchResult {
  agents: number;
  swarms: number;
  /** Source addresses the swarms dialled from (127.0.0.2…). */
  sourceAddresses?: number;
  targets?: CeilingTargetName[];
  /** `--workers` as given (SWITCHYARD_WORKERS, bare processes, nginx workers). */
  workers?: string;
  /** os.loadavg() (1, 5, 15 min) when this N started and ended. */
  loadAverage: { start: number[]; end: number[] };
  /** Agents the swarms held after Switchyard's all-secure phase idled. */
  switchyardHeld?: number;
  /** Per target (Switchyard first when it ran): the figures compared with the bare `ws` ceiling. */
  ceiling?: TargetFigures[];
  startedAt: string;
  durationMs: number;
  enroll?: ConnectPhaseResult;
  plain?: ConnectPhaseResult;
  secure?: ConnectPhaseResult;
  /** RSS growth per agent with half plain, half secure connected. */
  mixedKbPerAgent?: number;
  mixedAgentCounts?: Record<string, number>;
  restart?: RestartResult;
  allSecure?: ConnectPhaseResult;
  centralLog: { lines: number; warnings: Array<{ line: string; count: number }> };
  /** Things central did that it should not (crash, unclean exit, agents not seen online, …). */
  problems: string[];
  error?: string;
}
