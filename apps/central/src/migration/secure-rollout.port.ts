import { type RolloutProgress } from '../rollouts/rollout.types.js';

/** Per-agent progress of a publish rollout, as the migration shows it (read by the rollouts domain). */
export { type RolloutProgress };

/** Wave sizes as the rollouts API takes them (default: one wave). */
export type RolloutWavesRequest = { sizes: number[] } | { percentages: number[] };

export interface SecureRolloutRequest {
  actor: string;
  profile?: string;
  revision?: number;
  waves?: RolloutWavesRequest;
}

/**
 * The migration's view of rollouts (`secure_published`): start publishing a secure revision to the
 * fleet, and follow it. The single integration point with the rollouts domain.
 */
export interface SecureRolloutPort {
  /**
   * Starts a publish rollout to all agents and answers its id: of the given revision, or (without one)
   * of a secure revision prepared now from the draft of the profile in use.
   */
  start(input: SecureRolloutRequest): Promise<string>;
  progress(rolloutId: string): Promise<RolloutProgress | undefined>;
}
