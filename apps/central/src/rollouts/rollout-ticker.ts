import {
  Inject,
  Injectable,
  Logger,
  type OnApplicationBootstrap,
  type OnModuleDestroy,
} from '@nestjs/common';
import { ClusterBus } from '../cluster/cluster-bus.js';
import { EventBus } from '../common/event-bus.js';
import { RolloutDispatcher } from './rollout-dispatcher.js';
import { RolloutWaves } from './rollout-waves.js';
import { ROLLOUTS_CONFIG, type RolloutsConfig } from './rollouts.config.js';

/** How long after an answer the waves are evaluated (the answers of that time are counted together). */
const SOON_MS = 200;

/**
 * Drives rollouts on every node: each tick (and soon after an answer) the waves and timeouts are
 * evaluated once for the whole cluster (RolloutWaves, under an advisory lock), then this node sends what
 * is due to the agents it holds. A change is announced to the other nodes, which send their share.
 */
@Injectable()
export class RolloutTicker implements OnApplicationBootstrap, OnModuleDestroy {
  private readonly logger = new Logger('rollouts');
  private timer: NodeJS.Timeout | undefined;
  private soonTimer: NodeJS.Timeout | undefined;
  private ticking: Promise<void> | undefined;
  private stopped = false;

  constructor(
    private readonly waves: RolloutWaves,
    private readonly dispatcher: RolloutDispatcher,
    private readonly cluster: ClusterBus,
    private readonly events: EventBus,
    @Inject(ROLLOUTS_CONFIG) private readonly config: RolloutsConfig,
  ) {}

  onApplicationBootstrap(): void {
    this.events.on('rollout.changed', () => this.dispatcher.kick({ changed: true }));
    this.timer = setInterval(() => void this.tick(), this.config.tickMs);
  }

  async onModuleDestroy(): Promise<void> {
    this.stopped = true;
    clearInterval(this.timer);
    clearTimeout(this.soonTimer);
    await this.ticking;
    await this.dispatcher.stop();
  }

  /**
   * Moves waves shortly after answers arrive (they come in bursts: one evaluation serves many). Step
   * timeouts are left to the regular tick: looking for them reads every entry of every active rollout.
   */
  soon(delayMs = SOON_MS): void {
    if (this.soonTimer || this.stopped) return;
    this.soonTimer = setTimeout(() => {
      this.soonTimer = undefined;
      void this.tick({ timeouts: false });
    }, delayMs);
  }

  tick(options = { timeouts: true }): Promise<void> {
    if (this.stopped) return Promise.resolve();
    this.ticking ??= this.run(options).finally(() => (this.ticking = undefined));
    return this.ticking;
  }

  private async run(options: { timeouts: boolean }): Promise<void> {
    try {
      const { changed, retryInMs } = await this.waves.evaluate(options);
      for (const rolloutId of changed) await this.cluster.publish('rollout.changed', { rolloutId });
      // Skipped for its pace (ADR 55): done as soon as the pace allows, not at the next answer or tick.
      if (retryInMs > 0) this.soon(retryInMs);
    } catch (error) {
      if (!this.stopped) this.logger.warn(`evaluating rollouts: ${(error as Error).message}`);
    }
    // Restart-safe: whatever NOTIFY may have missed, each tick looks for this node's due work.
    this.dispatcher.kick();
  }
}
