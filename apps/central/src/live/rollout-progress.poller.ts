import { Injectable } from '@nestjs/common';
import { EventBus } from '../common/event-bus.js';
import { type RolloutSummary, RolloutsService } from '../rollouts/rollouts.service.js';
import { RolloutProgressRepository } from '../rollouts/rollout-progress.repository.js';
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
    const rollouts: Array<RolloutSummary & { agentsOmitted?: true }> = [];
    for (const id of moved) {
      // A big rollout's agents are never read here: each browser fetches the page it shows.
      const summary = await this.rollouts.summary(id);
      if (summary.targetCount > MAX_PUSHED_AGENTS) rollouts.push({ ...summary, agentsOmitted: true });
      else rollouts.push(await this.rollouts.withAgents(summary, { limit: MAX_PUSHED_AGENTS, offset: 0 }));
    }
    this.bus.emit('rollouts.progress.changed', { rollouts });
  }
}
