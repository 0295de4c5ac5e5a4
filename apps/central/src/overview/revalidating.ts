/**
 * A value that is costly to read and may be a little old: the first read waits for it; later reads get
 * the last value at once, and one older than `maxAgeMs` is read again in the background for the next
 * caller (stale-while-revalidate). A failed background read keeps the last value and is reported.
 */
export class Revalidating<T> {
  private last: { value: T; at: Date } | undefined;
  private reading: Promise<{ value: T; at: Date }> | undefined;

  constructor(
    private readonly read: () => Promise<T>,
    private readonly maxAgeMs: number,
    private readonly onBackgroundError: (error: unknown) => void,
    private readonly now: () => number = Date.now,
  ) {}

  async get(): Promise<{ value: T; at: Date }> {
    if (!this.last) return this.refresh();
    if (this.now() - this.last.at.getTime() > this.maxAgeMs && !this.reading)
      this.refresh().catch(this.onBackgroundError);
    return this.last;
  }

  private refresh(): Promise<{ value: T; at: Date }> {
    this.reading ??= this.read()
      .then((value) => (this.last = { value, at: new Date(this.now()) }))
      .finally(() => (this.reading = undefined));
    return this.reading;
  }
}
