/**
 * A dispatcher's passes, one at a time: a pass reads what is due from the table and sends it, so kicks
 * that arrive while one runs need only one more pass after it, not one each. A failed pass ends the run
 * (the next kick or tick starts again) rather than retrying into the same error.
 */
export class DispatchPasses {
  private running: Promise<void> | undefined;
  private again = false;
  private stopped = false;

  constructor(
    private readonly pass: () => Promise<void>,
    /** Not called once stopped: a pass cut short by shutdown is no news. */
    private readonly failed: (error: Error) => void,
  ) {}

  get isStopped(): boolean {
    return this.stopped;
  }

  kick(): void {
    if (this.stopped) return;
    if (this.running) {
      this.again = true;
      return;
    }
    this.running = this.loop().finally(() => (this.running = undefined));
  }

  /** Called from within a pass: one more pass follows it. */
  passAgain(): void {
    this.again = true;
  }

  async stop(): Promise<void> {
    this.stopped = true;
    await this.running;
  }

  private async loop(): Promise<void> {
    do {
      this.again = false;
      try {
        await this.pass();
      } catch (error) {
        if (!this.stopped) this.failed(error as Error);
        return;
      }
    } while (this.again && !this.stopped);
  }
}
