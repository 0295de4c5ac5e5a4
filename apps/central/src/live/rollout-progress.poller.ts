import { Injectable } from '@nestjs/common';
import { EventBus } from '../common/event-bus.js';
import { RolloutsService } from '../rollouts/rollouts.service.js';
import { RolloutProgressRepository } from './rollout-progress.repository.js';
import { WatchedPoller } from './watched-poller.js';

/** Above this many targets a pushed rollout leaves its agents out; the browser fetches them itself. */
export const MAX_PUSHED_AGENTS = 1000;

/** Announces the recent rollouts that moved, with their waves and (when not too many) agents. */
@Injectable()
export class RolloutProgressPoller extends WatchedPoller {
  protected readonly what = 'rollout progress';
  private known = new Map<string, string>();

  constructor(
    private readonly progress: RolloutProgressRepository,
    private readonly rollouts: RolloutsService,
    private readonly bus: EventBus,
  ) {
    super();
  }

  protected reset(): void {
    this.known = new Map();
  }

  protected async poll(baseline: boolean): Promise<void> {
    const moved: string[] = [];
    for (const { id, print } of await this.progress.prints()) {
      if (this.known.get(id) === print) continue;
      this.known.set(id, print);
      moved.push(id);
    }
    if (baseline || moved.length === 0 || !this.watched) return;
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
  }
}
