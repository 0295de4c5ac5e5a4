import { DomainError } from '../common/domain-error.js';
import {
  type RolloutProgress,
  type SecureRolloutPort,
  type SecureRolloutRequest,
} from './secure-rollout.port.js';

/** Starts the secure rollout: inside a node, the rollouts and profiles services (SecureRolloutStarter). */
export interface RolloutStarter {
  start(input: SecureRolloutRequest): Promise<string>;
}

/** Where a rollout's progress is read: the rollouts domain's RolloutProgressRepository. */
export interface RolloutProgressSource {
  progressOf(rolloutId: string): Promise<RolloutProgress | undefined>;
}

/**
 * The migration × rollouts seam: progress is read from the rollouts domain (its tables are shared by
 * every node, ADR 9); starting goes through the rollouts service of a running node. The `migrate` CLI
 * works on the database alone and has no starter: there the operator starts the rollout (API or UI) and
 * hands its id over (`advance --rollout ID` / `{ "rolloutId": … }`), which is followed exactly the same way.
 */
export class RolloutsIntegration implements SecureRolloutPort {
  constructor(
    private readonly source: RolloutProgressSource,
    private readonly starter?: RolloutStarter,
  ) {}

  start(input: SecureRolloutRequest): Promise<string> {
    if (this.starter) return this.starter.start(input);
    const what = input.profile ? `${input.profile} revision ${input.revision}` : 'a secure revision';
    return Promise.reject(
      new DomainError(
        'cli_cannot_start_rollouts',
        `the migrate CLI cannot start rollouts (central's rollouts service does): advance through the API, or start a publish rollout of ${what} to all agents (POST /api/rollouts) and advance with its rolloutId`,
      ),
    );
  }

  progress(rolloutId: string): Promise<RolloutProgress | undefined> {
    return this.source.progressOf(rolloutId);
  }
}
