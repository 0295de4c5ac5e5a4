// The words of a rollout's state, as lists (no zod here: the admin UI imports these values).

/** Every state a target agent can be in, in the order a delivery goes through them. */
export const ROLLOUT_AGENT_STATES = [
  'pending',
  'needs_upgrade',
  'synchronizing',
  'synchronized',
  'applying',
  'applied',
  'failed',
  'stale',
  'cancelled',
] as const;
export const ROLLOUT_STATES = [
  'running',
  'paused',
  'awaiting_approval',
  'halted',
  'completed',
  'cancelled',
] as const;
export const ROLLOUT_MODES = ['synchronize', 'publish'] as const;
export const ROLLOUT_ACTIONS = ['pause', 'resume', 'approve', 'cancel', 'retry-failed'] as const;

/** A target agent's state in one rollout. */
export type RolloutAgentState = (typeof ROLLOUT_AGENT_STATES)[number];
export type RolloutState = (typeof ROLLOUT_STATES)[number];
export type RolloutMode = (typeof ROLLOUT_MODES)[number];
export type RolloutAction = (typeof ROLLOUT_ACTIONS)[number];
/** How targets are put into waves: by id, or shuffled with a seed stored with the rollout. */
export type WaveOrder = 'ordered' | 'random';
