import { Inject, Injectable } from '@nestjs/common';
import { type DeliveryEntry } from './rollout.types.js';
import { ROLLOUTS_CONFIG, type RolloutsConfig } from './rollouts.config.js';

/**
 * The entries this node sent frames for, as it last wrote them: the status recorder judges an answer
 * from here instead of reading its entry again (a SELECT per batch of answers, ~15% of PostgreSQL's work
 * during a push). Only a guess: a change judged from memory is written only if the entry is still in the
 * remembered state and attempt, and an answer whose change does not hold is judged again from the table.
 * So a stale or missing entry costs a read, never a wrong state.
 *
 * Bounded: a few times the deliveries a node has under way; the oldest is forgotten first.
 */
@Injectable()
export class DeliveryMemory {
  private readonly entries = new Map<string, DeliveryEntry>();
  private readonly capacity: number;

  constructor(@Inject(ROLLOUTS_CONFIG) config: Pick<RolloutsConfig, 'maxInFlight'>) {
    this.capacity = Math.max(1000, config.maxInFlight * 4);
  }

  remember(entry: DeliveryEntry): void {
    const k = keyOf(entry.rolloutId, entry.agentId);
    this.entries.delete(k); // re-insert: Map order is the age order
    this.entries.set(k, entry);
    if (this.entries.size > this.capacity) {
      const oldest = this.entries.keys().next().value as string;
      this.entries.delete(oldest);
    }
  }

  recall(rolloutId: string, agentId: string): DeliveryEntry | undefined {
    return this.entries.get(keyOf(rolloutId, agentId));
  }

  forget(rolloutId: string, agentId: string): void {
    this.entries.delete(keyOf(rolloutId, agentId));
  }

  size(): number {
    return this.entries.size;
  }
}

const keyOf = (rolloutId: string, agentId: string) => `${rolloutId}/${agentId}`;
