import { Logger, type OnModuleDestroy } from '@nestjs/common';

/** One second keeps the UI live without loading the database. */
const INTERVAL_MS = 1000;

/**
 * Polls the database once a second while at least one browser watches, and not at all otherwise.
 * Reading the database (not this node's sessions) sees every node's work, so it is right in a cluster
 * without extra coordination. The first poll after the first watcher only records a baseline.
 */
export abstract class WatchedPoller implements OnModuleDestroy {
  protected readonly logger = new Logger('live');
  private timer: NodeJS.Timeout | undefined;
  private running = false;
  private watchers = 0;

  /** Reads the current state; announces changes unless `baseline`. */
  protected abstract poll(baseline: boolean): Promise<void>;
  /** Forgets what was seen, before a new baseline. */
  protected abstract reset(): void;
  /** What the poll reads, for the warning when it fails. */
  protected abstract readonly what: string;

  watch(): void {
    this.watchers += 1;
    if (this.watchers === 1) {
      this.reset();
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

  /** True while someone watches: changes found after the last watcher left are not announced. */
  protected get watched(): boolean {
    return this.timer !== undefined;
  }

  private stop(): void {
    clearInterval(this.timer);
    this.timer = undefined;
  }

  private async tick(baseline: boolean): Promise<void> {
    if (this.running) return; // a slow database: skip a beat rather than pile up queries
    this.running = true;
    try {
      await this.poll(baseline);
    } catch (error) {
      this.logger.warn(`cannot read ${this.what}: ${(error as Error).message}`);
    } finally {
      this.running = false;
    }
  }
}
