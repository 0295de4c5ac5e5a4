import { Injectable, Logger } from '@nestjs/common';
import { type ProfileStatus } from '../../../../libs/protocol/index.js';
import { parseDeliveryId } from './delivery-id.js';
import { afterStatus } from './rollout-agent-state.js';
import { RolloutDeliveriesRepository } from './rollout-deliveries.repository.js';
import { RolloutsRepository } from './rollouts.repository.js';

export type RecordOutcome =
  | { recorded: true; state: ProfileStatus['state']; mode: 'synchronize' | 'publish' }
  | { recorded: false; why: string };

/**
 * Records an agent's `profile.status` on its rollout entry. Only answers that belong to this agent,
 * to the entry's current attempt and to the revision's sha256 count; duplicates and late answers that
 * would move the entry backwards are ignored, so replays are harmless.
 */
@Injectable()
export class RolloutStatusRecorder {
  private readonly logger = new Logger('rollouts');

  constructor(
    private readonly rollouts: RolloutsRepository,
    private readonly deliveries: RolloutDeliveriesRepository,
  ) {}

  async record(agentId: string, status: ProfileStatus): Promise<RecordOutcome> {
    const outcome = await this.apply(agentId, status);
    if (!outcome.recorded && outcome.why !== 'duplicate')
      this.logger.warn(
        `agent ${agentId}: ignored profile.status ${status.state} (${status.deliveryId}): ${outcome.why}`,
      );
    return outcome;
  }

  private async apply(agentId: string, status: ProfileStatus): Promise<RecordOutcome> {
    const id = parseDeliveryId(status.deliveryId);
    if (!id) return { recorded: false, why: 'not a delivery central made' };
    return this.rollouts.transaction(async (tx) => {
      // An answer need not wait for its WAL flush: if central crashes before it reaches the disk, the
      // agent reports its active and staged profile at its next hello and the reconciler records it
      // again (ADR 14). This takes a disk flush off every acknowledgement.
      await tx.query('SET LOCAL synchronous_commit TO OFF');
      const entry = await this.deliveries.entry({ rolloutId: id.rolloutId, agentId }, tx);
      if (!entry) return { recorded: false, why: 'no such delivery for this agent' };
      if (entry.attempts !== id.attempt)
        return { recorded: false, why: `attempt ${id.attempt} was replaced by ${entry.attempts}` };
      if (entry.sha256 !== status.sha256)
        return { recorded: false, why: `sha256 ${status.sha256} is not the revision's ${entry.sha256}` };
      const next = afterStatus(entry.state, entry.mode, status);
      if (!next) return { recorded: false, why: 'duplicate' };
      const reason = next.state === 'failed' ? next.reason : null;
      await this.deliveries.change(
        [
          {
            rolloutId: entry.rolloutId,
            agentId,
            fromState: entry.state,
            attempts: entry.attempts,
            state: next.state,
            reason,
          },
        ],
        tx,
      );
      if (next.state === 'synchronized') await this.deliveries.recordStaged(agentId, entry.sha256, tx);
      if (next.state === 'applied') await this.deliveries.recordApplied(entry, tx);
      return { recorded: true, state: status.state, mode: entry.mode };
    });
  }
}
