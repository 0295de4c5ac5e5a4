import { ConfigError } from '../config/central-config.js';

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

export function loadMigrationConfig(env: NodeJS.ProcessEnv = process.env): MigrationConfig {
  const issues: Array<{ variable: string; message: string }> = [];
  const whole = (variable: string, fallback: number, min: number, max: number): number => {
    const raw = env[variable];
    if (raw === undefined || raw === '') return fallback;
    const n = /^\d+$/.test(raw) ? Number(raw) : NaN;
    if (!(n >= min && n <= max)) {
      issues.push({ variable, message: `must be a whole number between ${min} and ${max}` });
      return fallback;
    }
    return n;
  };
  const config = {
    minCertificateDays: whole('SWITCHYARD_MIGRATION_MIN_CERT_DAYS', 14, 0, 3650),
    minWindowHours: whole('SWITCHYARD_MIGRATION_WINDOW_HOURS', 24, 0, 24 * 365),
  };
  if (issues.length > 0) throw new ConfigError(issues);
  return config;
}
