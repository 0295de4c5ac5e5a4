/**
 * A figure that is costly to read, kept for `maxAgeMs` so that frequent scrapes read it once: a caller gets
 * the kept value while it is young enough, otherwise it waits for a new read (one at a time, shared by the
 * callers that arrive meanwhile). A failed read is not kept. Its age is measured on a monotonic clock from
 * when the read started, so a wall clock set back or forward neither freezes nor drops it.
 */
export class ScrapeCache<T> {
  private kept: { value: T; at: number } | undefined;
  private reading: Promise<T> | undefined;

  constructor(
    private readonly read: () => Promise<T>,
    private readonly maxAgeMs: number,
    private readonly now: () => number = () => performance.now(),
  ) {}

  /** The kept value and how old it is, for the other processes of the node (cluster mode). */
  peek(): { value: T; ageMs: number } | undefined {
    if (!this.kept) return undefined;
    const ageMs = this.now() - this.kept.at;
    return ageMs <= this.maxAgeMs ? { value: this.kept.value, ageMs } : undefined;
  }

  /** A value another process read `ageMs` ago: kept when it is younger than the one kept here. */
  offer(value: T, ageMs: number): void {
    const at = this.now() - Math.max(0, ageMs);
    if (ageMs <= this.maxAgeMs && (!this.kept || at > this.kept.at)) this.kept = { value, at };
  }

  get(): Promise<T> {
    if (this.kept && this.now() - this.kept.at <= this.maxAgeMs) return Promise.resolve(this.kept.value);
    if (!this.reading) {
      const at = this.now();
      this.reading = this.read()
        .then((value) => {
          this.kept = { value, at };
          return value;
        })
        .finally(() => (this.reading = undefined));
    }
    return this.reading;
  }
}
