import { Injectable, type OnApplicationBootstrap } from '@nestjs/common';
import { BulkActionsService } from '../agents/bulk-actions.service.js';
import { RETRY_FROM, RolloutsRepository } from './rollouts.repository.js';

/**
 * The agents' bulk "retry in a rollout" (ADR 40) moves rollout entries through the rollouts' repository,
 * on the bulk action's transaction: registered with the agents' bulk actions at start (ADR 47).
 */
@Injectable()
export class BulkRetryRegistrar implements OnApplicationBootstrap {
  constructor(
    private readonly repo: RolloutsRepository,
    private readonly bulk: BulkActionsService,
  ) {}

  onApplicationBootstrap(): void {
    this.bulk.useRolloutRetry({
      retryFrom: RETRY_FROM,
      lockState: (q, rolloutId) => this.repo.lockState(rolloutId, q),
      entryStates: (q, rolloutId, agentIds) => this.repo.entryStates(rolloutId, agentIds, q),
      retry: (q, rolloutId, agentIds) => this.repo.retryAgents(rolloutId, agentIds, q),
    });
  }
}
