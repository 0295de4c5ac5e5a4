import { Injectable, Logger, type OnApplicationBootstrap, type OnModuleDestroy } from '@nestjs/common';
import { EventBus } from '../common/event-bus.js';
import { RolloutDeliveriesRepository } from './rollout-deliveries.repository.js';
import { PeriodicTask } from '../common/periodic-task.js';

/** Looked at again this often, whatever NOTIFY may have missed. */
const REFRESH_MS = 5000;

/**
 * Whether any rollout entry exists at all, known in memory (ADR 26): while none does, a hello has nothing
 * to reconcile and skips that query (half of a reconnect's database time, measured with the table
 * empty). Unknown, or a rollout changed (on any node: `rollout.changed` comes through ClusterBus) and not
 * yet looked at again, means "maybe": the hello reconciles as before.
 */
@Injectable()
export class RolloutEntriesPresence implements OnApplicationBootstrap, OnModuleDestroy {
  private readonly logger = new Logger('rollouts');
  private present: boolean | undefined;
  private changes = 0;
  /** `changes` when the last count started: later changes are not in it. */
  private countedAt = -1;
  private task: PeriodicTask | undefined;
  private counting: Promise<void> | undefined;

  constructor(
    private readonly deliveries: RolloutDeliveriesRepository,
    private readonly events: EventBus,
  ) {}

  onApplicationBootstrap(): void {
    this.events.on('rollout.changed', () => {
      this.changes++;
      void this.refresh();
    });
    this.task = new PeriodicTask(REFRESH_MS, () => this.refresh()).start({ immediately: true });
  }

  async onModuleDestroy(): Promise<void> {
    await this.task?.stop();
  }

  /** False only when no rollout entry exists for sure. */
  mayExist(): boolean {
    return this.present !== false || this.countedAt !== this.changes;
  }

  refresh(): Promise<void> {
    this.counting ??= this.countNow().finally(() => (this.counting = undefined));
    return this.counting;
  }

  private async countNow(): Promise<void> {
    const at = this.changes;
    try {
      this.present = await this.deliveries.anyEntry();
      this.countedAt = at;
    } catch (error) {
      this.present = undefined;
      this.logger.warn(`looking for rollout entries: ${(error as Error).message}`);
    }
    // A change that arrived while counting is counted now.
    if (this.changes !== at) await this.countNow();
  }
}
