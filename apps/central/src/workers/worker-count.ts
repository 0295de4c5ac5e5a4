import { availableParallelism } from 'node:os';
import { type CentralConfig } from '../config/central-config.js';
import { MAX_WORKERS, readEnvironment } from '../config/environment.js';
import { agentConnectionBudget } from '../listeners/descriptor-budget.js';

export { MAX_WORKERS };

export interface WorkersSetting {
  /** `auto`, or a fixed number of worker processes (1: one process, no primary, as before cluster mode). */
  workers: 'auto' | number;
  /** Agents this host is expected to hold at once (SWITCHYARD_FLEET_SIZE); sizes `auto`. */
  fleetSize: number | undefined;
}

/** Reads SWITCHYARD_WORKERS and SWITCHYARD_FLEET_SIZE (validated with the whole environment). */
export function loadWorkersSetting(env: NodeJS.ProcessEnv = process.env): WorkersSetting {
  const e = readEnvironment(env);
  return { workers: e.SWITCHYARD_WORKERS, fleetSize: e.SWITCHYARD_FLEET_SIZE };
}

export interface HostFacts {
  cores: number;
  /** Agent connections one process may hold (ADR 26's descriptor budget); undefined: none found. */
  perProcessBudget: number | undefined;
  /**
   * Workers the database can serve: each holds its pool and a LISTEN connection. Known for the embedded
   * server (PostgreSQL's default max_connections); undefined for DATABASE_URL (its operator sizes it).
   */
  databaseWorkers: number | undefined;
}

/** PostgreSQL's default max_connections, which the embedded server keeps. */
const EMBEDDED_MAX_CONNECTIONS = 100;
/** Kept free on the embedded server: the primary's pool (2), CLIs such as certmgr, psql, superuser slots. */
const EMBEDDED_RESERVED_CONNECTIONS = 10;

export function hostFacts(
  config: Pick<CentralConfig, 'maxAgentConnections' | 'databaseUrl' | 'databasePoolSize'>,
): HostFacts {
  return {
    cores: availableParallelism(),
    perProcessBudget: agentConnectionBudget(config.maxAgentConnections),
    databaseWorkers: config.databaseUrl
      ? undefined
      : Math.max(
          1,
          Math.floor(
            (EMBEDDED_MAX_CONNECTIONS - EMBEDDED_RESERVED_CONNECTIONS) / (config.databasePoolSize + 1),
          ),
        ),
  };
}

/**
 * How many worker processes to run, and why (for the boot log). `auto`: one per core, and more when the
 * expected fleet does not fit in that many processes' descriptor budgets:
 * max(cores, ceil(SWITCHYARD_FLEET_SIZE / per-process budget)), at most MAX_WORKERS.
 */
export function workerCount(setting: WorkersSetting, host: HostFacts): { count: number; why: string } {
  if (setting.workers !== 'auto') return { count: setting.workers, why: 'SWITCHYARD_WORKERS' };
  const forCores = Math.max(1, host.cores);
  const budget = host.perProcessBudget;
  const forSockets =
    setting.fleetSize === undefined || budget === undefined ? 0 : Math.ceil(setting.fleetSize / budget);
  const wanted = Math.min(MAX_WORKERS, Math.max(forCores, forSockets));
  let why = `auto: ${forCores} core(s)`;
  if (forSockets > 0) why += `, ${setting.fleetSize} agents at ${budget} per process need ${forSockets}`;
  const cap = host.databaseWorkers;
  if (cap !== undefined && wanted > cap)
    return { count: cap, why: `${why}; the embedded PostgreSQL's connections serve ${cap} pools` };
  return { count: wanted, why };
}
