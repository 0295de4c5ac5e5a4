import { setImmediate as nextTurn } from 'node:timers/promises';

export interface PacerLimits {
  /** Exchanges open at once (offered, not yet answered, signed or given up). */
  inFlight: number;
  /** Items started per event-loop turn; the loop yields between batches. */
  batch: number;
}

/**
 * Works through a queue of items in batches, one batch per event-loop turn, with at most `inFlight`
 * of them open at a time: offering certificates to a fleet of 10,000 must neither sign 10,000 CSRs at
 * once nor hold the event loop (heartbeats, the API) while it sends the offers.
 */
export class OfferPacer<T> {
  private readonly queue = new Map<string, T>();
  private open = 0;
  private running = false;

  constructor(
    private readonly limits: PacerLimits,
    private readonly keyOf: (item: T) => string,
    /** Starts a batch; calls `opened()` for each exchange it opens. */
    private readonly start: (batch: T[]) => Promise<void>,
    private readonly onError: (error: Error) => void,
  ) {}

  /** Queues items (an item already queued is not queued twice). */
  add(items: Iterable<T>): void {
    for (const item of items) this.queue.set(this.keyOf(item), item);
    void this.pump();
  }

  opened(): void {
    this.open++;
  }

  /** One exchange ended (answered, failed, timed out, session gone): room for the next. */
  closed(): void {
    this.open = Math.max(0, this.open - 1);
    void this.pump();
  }

  get queued(): number {
    return this.queue.size;
  }

  get inFlight(): number {
    return this.open;
  }

  /** Resolves once the queue is empty and no batch is being started (tests, shutdown). */
  async idle(): Promise<void> {
    while (this.running || this.queue.size > 0) await nextTurn();
  }

  private async pump(): Promise<void> {
    if (this.running) return;
    this.running = true;
    try {
      while (this.queue.size > 0 && this.open < this.limits.inFlight) {
        const batch: T[] = [];
        const room = Math.min(this.limits.batch, this.limits.inFlight - this.open);
        for (const [key, item] of this.queue) {
          if (batch.length >= room) break;
          this.queue.delete(key);
          batch.push(item);
        }
        await this.start(batch).catch((error: Error) => this.onError(error));
        await nextTurn();
      }
    } finally {
      this.running = false;
    }
  }
}
