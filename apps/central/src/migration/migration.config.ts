import { readEnvironment } from '../config/environment.js';

/** Defaults of the migration gates, from the environment; each request may override them. */
export interface MigrationConfig {
  /** `dual` needs the active server certificate to stay valid at least this long. */
  minCertificateDays: number;
  /** The shortest observation window of the `secure_only` gate, whatever an agent's history says. */
  minWindowHours: number;
}

export const MIGRATION_CONFIG = Symbol('MIGRATION_CONFIG');

/**
 * An agent's observation window is this many times its longest observed offline gap (at least the
 * minimum): an agent that is routinely away for two days is not "missing" after one.
 */
export const WINDOW_GAP_FACTOR = 1.5;

/** This domain's part of the environment (config/environment.ts validates every variable at once). */
export function loadMigrationConfig(env: NodeJS.ProcessEnv = process.env): MigrationConfig {
  const e = readEnvironment(env);
  return {
    minCertificateDays: e.SWITCHYARD_MIGRATION_MIN_CERT_DAYS,
    minWindowHours: e.SWITCHYARD_MIGRATION_WINDOW_HOURS,
  };
}
