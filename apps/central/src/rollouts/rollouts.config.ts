import { readEnvironment } from '../config/environment.js';

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

/** This domain's part of the environment (config/environment.ts validates every variable at once). */
export function loadRolloutsConfig(env: NodeJS.ProcessEnv = process.env): RolloutsConfig {
  const e = readEnvironment(env);
  return {
    tickMs: e.SWITCHYARD_ROLLOUT_TICK_MS,
    maxInFlight: e.SWITCHYARD_ROLLOUT_MAX_IN_FLIGHT,
    maxBufferedBytes: e.SWITCHYARD_ROLLOUT_MAX_BUFFERED_BYTES,
  };
}
