/** The arithmetic of the ceiling figures: per-connection costs of a target and its ratios to bare `ws`. */
import { type Spread } from '../connections/stats.js';

export type CeilingTargetName = 'switchyard' | 'bare' | 'nginx';

/** What one target cost while N swarm agents connected over wss and then stayed idle. */
export interface TargetFigures {
  target: CeilingTargetName;
  /** Why it did not run (tool absent, start failed); the figures are then absent. */
  skipped?: string;
  agents: number;
  /** Welcomed and still held after the idle time. */
  held: number;
  /** Processes that served the connections (central's workers, bare `ws` processes, nginx + its upstream). */
  processes: number;
  /** Start of the connect phase → last agent welcomed (or given up), ms. */
  connectAllMs: number;
  /** Growth of the RSS of the serving processes (all of them) per held connection, KB. */
  kbPerConnection: number;
  /** utime + stime of the serving processes per welcomed connection, ms. */
  cpuMsPerConnection: number;
  /** Switchyard only: CPU of its PostgreSQL per welcomed connection, ms. */
  dbCpuMsPerConnection?: number;
  /** nginx only: the part of RSS and CPU of the nginx processes alone (the rest is its upstream). */
  front?: { kbPerConnection: number; cpuMsPerConnection: number };
  /** Time back after the server was restarted with every agent connected. */
  restart?: RestartFigures;
}

export interface RestartFigures {
  agents: number;
  back: number;
  missing: number;
  /** From the restarted server's readiness to each agent's welcome, ms. */
  backMs: Spread;
  /** Failed attempts after the server was ready again, by reason. */
  failuresAfterReady?: Record<string, number>;
}

export interface Ratios {
  /** Target / bare for RSS per connection. */
  kb: number;
  /** Target / bare for CPU per connection (the target's own processes). */
  cpu: number;
  /** Target + its PostgreSQL / bare: what one connection costs the machine. */
  cpuWithDb: number;
  connectAll: number;
  /** p99 of the time back after a restart, target / bare. */
  restartP99: number;
}

/** A growth (after − before) spread over `count`; NaN when nothing was counted. */
export function perConnection(before: number, after: number, count: number): number {
  return count > 0 ? (after - before) / count : NaN;
}

/** a / b, NaN when either is not a finite number or b is not positive. */
export function ratio(a: number | undefined, b: number | undefined): number {
  if (a === undefined || b === undefined || !Number.isFinite(a) || !Number.isFinite(b) || b <= 0) return NaN;
  return a / b;
}

export function ratiosToBare(target: TargetFigures, bare: TargetFigures | undefined): Ratios | undefined {
  if (!bare || bare.skipped || target.skipped) return undefined;
  return {
    kb: ratio(target.kbPerConnection, bare.kbPerConnection),
    cpu: ratio(target.cpuMsPerConnection, bare.cpuMsPerConnection),
    cpuWithDb: ratio(target.cpuMsPerConnection + (target.dbCpuMsPerConnection ?? 0), bare.cpuMsPerConnection),
    connectAll: ratio(target.connectAllMs, bare.connectAllMs),
    restartP99: ratio(target.restart?.backMs.p99, bare.restart?.backMs.p99),
  };
}

/** "1.55×", or "–" when there is no ratio. */
export function formatRatio(r: number | undefined): string {
  return r === undefined || !Number.isFinite(r) ? '–' : `${r.toFixed(2)}×`;
}
