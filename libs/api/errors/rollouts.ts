import { type ErrorCategory } from './category.js';

/** Refusals of `/api/rollouts` and of the bulk retry; `state` says where the rollout is. */
export const ROLLOUT_ERRORS = {
  rollout_not_found: 'not_found',
  /** Pause asked of a rollout that is not running or awaiting approval. */
  rollout_not_running: 'conflict',
  /** Resume asked of a rollout that is not paused. */
  rollout_not_paused: 'conflict',
  rollout_not_awaiting_approval: 'conflict',
  /** Cancel or retry asked of a rollout that has ended. */
  rollout_already_finished: 'conflict',
  rollout_changed_meanwhile: 'conflict',
} as const satisfies Record<string, ErrorCategory>;

export type RolloutErrorCode = keyof typeof ROLLOUT_ERRORS;
