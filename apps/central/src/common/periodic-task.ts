/**
 * Work a node repeats on a timer (sweeps, refreshes, renewal checks, the rotation autopilot). Every
 * such task needs the same four things, which each service used to hand-roll (and some forgot):
 * - one run at a time: a tick that comes while the previous run is still going is skipped, so a slow
 *   database cannot pile runs up behind each other;
 * - the timer never keeps the process alive (`unref`);
 * - `stop()` waits for the run in progress, so shutdown does not close the pool under it, and no run
 *   starts afterwards;
 * - a failed run is reported through `onError` and the next tick tries again.
 */
export class PeriodicTask {
  private timer: NodeJS.Timeout | undefined;
  private running: Promise<void> | undefined;
  private stopped = false;

  constructor(
    private readonly everyMs: number,
    private readonly work: () => unknown,
    private readonly onError: (error: Error) => void = () => undefined,
  ) {
    if (!(everyMs > 0)) throw new Error(`a periodic task needs a positive interval, got ${everyMs}`);
  }

  /** Starts the timer; with `immediately`, the first run starts on the next turn of the event loop. */
  start(opts: { immediately?: boolean } = {}): this {
    if (this.stopped || this.timer) return this;
    this.timer = setInterval(() => void this.runNow(), this.everyMs).unref();
    if (opts.immediately) setImmediate(() => void this.runNow());
    return this;
  }

  /** Runs the work now, or joins the run in progress; resolves when it ends (never rejects). */
  runNow(): Promise<void> {
    if (this.stopped) return Promise.resolve();
    this.running ??= Promise.resolve()
      .then(() => this.work())
      .then(
        () => undefined,
        (error: unknown) => this.onError(error instanceof Error ? error : new Error(String(error))),
      )
      .finally(() => (this.running = undefined));
    return this.running;
  }

  /** No run starts after this; resolves once the run in progress (if any) has ended. */
  async stop(): Promise<void> {
    this.stopped = true;
    clearInterval(this.timer);
    this.timer = undefined;
    await this.running;
  }
}
