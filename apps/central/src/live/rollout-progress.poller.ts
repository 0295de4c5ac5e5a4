import { Injectable, Logger, type OnModuleDestroy } from '@nestjs/common';
import { EventBus } from '../common/event-bus.js';
import { RolloutsService } from '../rollouts/rollouts.service.js';
import { RolloutProgressRepository } from './rollout-progress.repository.js';

const INTERVAL_MS = 1000;
/** Above this many targets a pushed rollout leaves its agents out; the browser fetches them itself. */
export const MAX_PUSHED_AGENTS = 1000;

/**
 * Reads the recent rollouts' progress once a second while someone watches (same pattern as
 * AgentStatusPoller) and announces those that moved, with their waves and (when not too many) agents.
 */
@Injectable()
export class RolloutProgressPoller implements OnModuleDestroy {
  private readonly logger = new Logger('live');
  private timer: NodeJS.Timeout | undefined;
  private running = false;
  private known = new Map<string, string>();
  private watchers = 0;

  constructor(
    private readonly progress: RolloutProgressRepository,
    private readonly rollouts: RolloutsService,
    private readonly bus: EventBus,
  ) {}

  watch(): void {
    this.watchers += 1;
    if (this.watchers === 1) {
      this.known = new Map();
      void this.tick(true);
      this.timer = setInterval(() => void this.tick(false), INTERVAL_MS);
    }
  }

  unwatch(): void {
    this.watchers = Math.max(0, this.watchers - 1);
    if (this.watchers === 0) this.stop();
  }

  onModuleDestroy(): void {
    this.stop();
  }

  private stop(): void {
    clearInterval(this.timer);
    this.timer = undefined;
  }

  private async tick(baseline: boolean): Promise<void> {
    if (this.running) return;
    this.running = true;
    try {
      const moved: string[] = [];
      for (const { id, print } of await this.progress.prints()) {
        if (this.known.get(id) === print) continue;
        this.known.set(id, print);
        moved.push(id);
      }
      if (baseline || moved.length === 0 || !this.timer) return;
      const rollouts: Array<{ id: string }> = [];
      for (const id of moved) {
        const detail = await this.rollouts.get(id);
        if (detail.agents.length <= MAX_PUSHED_AGENTS) rollouts.push(detail);
        else {
          const { agents: _omitted, ...summary } = detail;
          rollouts.push({ ...summary, agentsOmitted: true } as { id: string });
        }
      }
      this.bus.emit('rollouts.progress.changed', { rollouts });
    } catch (error) {
      this.logger.warn(`cannot read rollout progress: ${(error as Error).message}`);
    } finally {
      this.running = false;
    }
  }
}
