/**
 * Collects work items and hands them to `flush` in batches, one flush at a time. Items with the same key
 * never share a batch and keep their order: a later one waits for the next batch, so a batch can be
 * applied as a set (one statement per kind of change) without two answers of one agent racing.
 *
 * A batch goes out when it is full, or `delayMs` after its first item; while a flush runs, new items
 * gather and go out as soon as it ends. Each caller's promise settles with its own item's result.
 */
export class KeyedBatcher<T, R> {
  private queued = new Map<string, Waiting<T, R>>();
  /** Items whose key already has one waiting, in arrival order. */
  private later: Array<Waiting<T, R>> = [];
  private flushing: Promise<void> | undefined;
  private timer: NodeJS.Timeout | undefined;
  /** The newest item of each key not yet flushed (its order makes it the last of its key to finish). */
  private readonly newest = new Map<string, Promise<unknown>>();

  constructor(
    private readonly flush: (items: T[]) => Promise<R[]>,
    private readonly options: { maxBatch: number; delayMs: number },
  ) {}

  add(key: string, item: T): Promise<R> {
    const result = new Promise<R>((resolve, reject) => {
      const waiting = { key, item, resolve, reject };
      if (this.queued.has(key)) this.later.push(waiting);
      else this.queued.set(key, waiting);
      this.schedule();
    });
    this.newest.set(key, result);
    const forget = () => {
      if (this.newest.get(key) === result) this.newest.delete(key);
    };
    result.then(forget, forget);
    return result;
  }

  /** Resolves when every item added for `key` so far has been flushed (whatever its outcome). */
  settled(key: string): Promise<void> {
    const newest = this.newest.get(key);
    return newest ? newest.then(noop, noop) : Promise.resolve();
  }

  /** Items waiting or being flushed (for tests and metrics). */
  size(): number {
    return this.queued.size + this.later.length;
  }

  /** Resolves when everything added so far has been flushed. */
  async drain(): Promise<void> {
    while (this.flushing || this.size() > 0) {
      if (!this.flushing) this.start();
      await this.flushing;
    }
  }

  private schedule(): void {
    if (this.flushing) return; // the running flush starts the next batch when it ends
    if (this.queued.size >= this.options.maxBatch) return this.start();
    this.timer ??= setTimeout(() => this.start(), this.options.delayMs);
  }

  private start(): void {
    clearTimeout(this.timer);
    this.timer = undefined;
    if (this.flushing || this.queued.size === 0) return;
    const batch = this.take();
    this.flushing = this.run(batch).finally(() => {
      this.flushing = undefined;
      // What gathered meanwhile has waited long enough.
      if (this.queued.size > 0) this.start();
    });
  }

  private take(): Array<Waiting<T, R>> {
    const batch: Array<Waiting<T, R>> = [];
    for (const [key, waiting] of this.queued) {
      if (batch.length >= this.options.maxBatch) break;
      batch.push(waiting);
      this.queued.delete(key);
    }
    const later = this.later;
    this.later = [];
    for (const waiting of later) {
      if (this.queued.has(waiting.key)) this.later.push(waiting);
      else this.queued.set(waiting.key, waiting);
    }
    return batch;
  }

  private async run(batch: Array<Waiting<T, R>>): Promise<void> {
    try {
      const results = await this.flush(batch.map((w) => w.item));
      if (results.length !== batch.length)
        throw new Error(`batch of ${batch.length} answered with ${results.length} results`);
      batch.forEach((w, i) => w.resolve(results[i]!));
    } catch (error) {
      for (const w of batch) w.reject(error);
    }
  }
}

const noop = (): void => undefined;

interface Waiting<T, R> {
  key: string;
  item: T;
  resolve: (result: R) => void;
  reject: (error: unknown) => void;
}
