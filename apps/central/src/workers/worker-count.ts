import { availableParallelism } from 'node:os';
import { z } from 'zod';
import { ConfigError, type CentralConfig } from '../config/central-config.js';
import { agentConnectionBudget } from '../listeners/descriptor-budget.js';

/** More workers than this is a typo, not a plan: each holds a database pool and a Nest application. */
export const MAX_WORKERS = 64;

export interface WorkersSetting {
  /** `auto`, or a fixed number of worker processes (1: one process, no primary, as before cluster mode). */
  workers: 'auto' | number;
  /** Agents this host is expected to hold at once (SWITCHYARD_FLEET_SIZE); sizes `auto`. */
  fleetSize: number | undefined;
}

const count = (min: number, max: number) =>
  z
    .string()
    .regex(/^\d+$/, 'must be a whole number')
    .transform(Number)
    .refine((n) => n >= min && n <= max, `must be between ${min} and ${max}`);

const schema = z.object({
  SWITCHYARD_WORKERS: z
    .string()
    .refine(
      (v) => v === 'auto' || (/^\d+$/.test(v) && Number(v) >= 1 && Number(v) <= MAX_WORKERS),
      `must be "auto" or a whole number between 1 and ${MAX_WORKERS}`,
    )
    .transform((v): 'auto' | number => (v === 'auto' ? 'auto' : Number(v)))
    .default('auto'),
  SWITCHYARD_FLEET_SIZE: count(1, 10_000_000).optional(),
});

/** Reads SWITCHYARD_WORKERS and SWITCHYARD_FLEET_SIZE; a wrong value throws ConfigError naming it. */
export function loadWorkersSetting(env: NodeJS.ProcessEnv = process.env): WorkersSetting {
  const present = Object.fromEntries(Object.entries(env).filter(([, v]) => v !== undefined && v !== ''));
  const parsed = schema.safeParse(present);
  if (!parsed.success)
    throw new ConfigError(
      parsed.error.issues.map((i) => ({ variable: String(i.path[0]), message: i.message })),
    );
  return { workers: parsed.data.SWITCHYARD_WORKERS, fleetSize: parsed.data.SWITCHYARD_FLEET_SIZE };
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
