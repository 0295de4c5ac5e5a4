import { DomainError } from '../common/domain-error.js';
import { type Queryable } from './agent-selection.query.js';

/**
 * How a bulk action (ADR 40) writes what other domains own, without the agents folder importing them
 * (folder-direction.spec.ts): migration and rollouts register these with BulkActionsService at start, as
 * rollouts registers its session hooks. Every method runs on the bulk action's transaction (`q`), so an
 * action still changes all it matched or nothing (ADR 47).
 */

/** Migration exemptions (the migration's `migration_exemptions`). */
export interface BulkExemptionsPort {
  /** Exempts these agents; answers the ids written. */
  exempt(
    q: Queryable,
    agentIds: string[],
    e: { reason: string; expiresAt: Date; createdBy: string },
  ): Promise<string[]>;
  /** Removes their exemptions; answers the ids that had one. */
  unexempt(q: Queryable, agentIds: string[]): Promise<string[]>;
}

/** Retrying agents in a rollout (the rollouts' `rollouts` and `rollout_agents`). */
export interface BulkRolloutRetryPort {
  /** The rollout states from which failed agents may be retried (as `POST /api/rollouts/:id/retry-failed`). */
  readonly retryFrom: readonly string[];
  /** The rollout's state, its row locked until the transaction ends; undefined: no such rollout. */
  lockState(q: Queryable, rolloutId: string): Promise<string | undefined>;
  /** Each agent's state in the rollout (absent: not targeted by it). */
  entryStates(q: Queryable, rolloutId: string, agentIds: string[]): Promise<Map<string, string>>;
  /** Failed and stale entries of these agents start over; answers the agents retried. */
  retry(q: Queryable, rolloutId: string, agentIds: string[]): Promise<string[]>;
}

const unavailable = (what: string) =>
  Promise.reject(new DomainError('node_not_ready', `${what} are not available on this node yet`));

/** Until migration registers. */
export const NO_EXEMPTIONS: BulkExemptionsPort = {
  exempt: () => unavailable('migration exemptions'),
  unexempt: () => unavailable('migration exemptions'),
};

/** Until rollouts registers. */
export const NO_ROLLOUT_RETRY: BulkRolloutRetryPort = {
  retryFrom: [],
  lockState: () => unavailable('rollouts'),
  entryStates: () => unavailable('rollouts'),
  retry: () => unavailable('rollouts'),
};
