import { ConfigError } from '../config/central-config.js';

/** Rollout pacing from the environment, checked once when the module starts. */
export interface RolloutsConfig {
  /** How often each node evaluates waves and timeouts (under the lock) and sends pending frames. */
  tickMs: number;
  /** Deliveries one node has under way at once (sent, not yet synchronized/applied/failed). */
  maxInFlight: number;
  /** A session with more than this many bytes queued on its socket is skipped until it drains. */
  maxBufferedBytes: number;
}

export const ROLLOUTS_CONFIG = Symbol('ROLLOUTS_CONFIG');

export function loadRolloutsConfig(env: NodeJS.ProcessEnv = process.env): RolloutsConfig {
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
    tickMs: whole('SWITCHYARD_ROLLOUT_TICK_MS', 1000, 50, 60_000),
    maxInFlight: whole('SWITCHYARD_ROLLOUT_MAX_IN_FLIGHT', 2000, 1, 100_000),
    maxBufferedBytes: whole('SWITCHYARD_ROLLOUT_MAX_BUFFERED_BYTES', 256 * 1024, 1024, 64 * 1024 * 1024),
  };
  if (issues.length > 0) throw new ConfigError(issues);
  return config;
}
