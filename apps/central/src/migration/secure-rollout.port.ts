/** Per-agent progress of a publish rollout, as the migration shows it. */
export interface RolloutProgress {
  id: string;
  profile: string;
  revision: number;
  mode: string;
  state: string;
  stateReason: string | null;
  agents: Record<string, number>;
  failed: Array<{ agentId: string; state: string; reason: string | null }>;
}

/**
 * The migration's view of rollouts (`secure_published`): start publishing a secure revision to the
 * fleet, and follow it. The single integration point with the rollouts domain.
 */
export interface SecureRolloutPort {
  start(input: { profile: string; revision: number; actor: string }): Promise<string>;
  progress(rolloutId: string): Promise<RolloutProgress | undefined>;
}
