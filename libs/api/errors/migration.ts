import { type ErrorCategory } from './category.js';

/** Refusals of `/api/migration` and the migrate CLI (plain → secure phases, exemptions). */
export const MIGRATION_ERRORS = {
  migration_at_last_phase: 'conflict',
  migration_at_first_phase: 'conflict',
  /** Advance asked for another phase than the next one. */
  step_out_of_order: 'conflict',
  /** Roll back asked for a phase that is not before the current one. */
  rollback_target_invalid: 'conflict',
  /** The phase's preconditions fail; `preconditions` lists each check. */
  preconditions_not_met: 'conflict',
  /** The publish rollout has not completed and the operator did not accept that. */
  publish_rollout_not_complete: 'conflict',
  rollout_not_publish: 'conflict',
  /** The revision would not let agents trust central's secure listener. */
  secure_revision_unusable: 'conflict',
  /** Several profiles in use: each must be published to its agents first; `prepared` lists them. */
  several_profiles_in_use: 'conflict',
  /** The migrate CLI runs without central's rollouts service. */
  cli_cannot_start_rollouts: 'conflict',
  migration_changed_meanwhile: 'conflict',
  /** Closing the plain listener would strand agents; `stranded` and the counts say which and why. */
  would_strand_agents: 'would_strand_agents',
  /** Closing the secure listener would cut off agents connected over it; `agents` lists them. */
  rollback_would_strand_agents: 'would_strand_agents',
  exemption_not_found: 'not_found',
} as const satisfies Record<string, ErrorCategory>;

export type MigrationErrorCode = keyof typeof MIGRATION_ERRORS;
