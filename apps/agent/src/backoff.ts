/**
 * A connection must stay welcomed this long before the backoff starts over. Resetting at every welcome
 * let a central that closes (or an agent that refuses something) right after welcome cause a tight
 * reconnect loop: 57-64 reconnects in 33 s, "retrying in 0.0 s" (issue 14). A minute is longer than any
 * such loop's cycle and short next to a healthy session's life.
 */
export const HEALTHY_CONNECTION_MS = 60_000;

export interface BackoffOptions {
  baseMs: number;
  maxMs: number;
  /** Uniform in [0, 1); injected so tests are deterministic. */
  random?: () => number;
}

/**
 * Capped exponential backoff with full jitter: delay = random(0, min(max, base · 2^attempt)).
 * Full jitter spreads a fleet's reconnects over the whole window, so a central restart does not
 * cause a synchronized reconnect storm (docs/agent.md, "Reconnecting").
 */
export class Backoff {
  private attempt = 0;
  private readonly random: () => number;
  private healthyTimer: NodeJS.Timeout | undefined;
  private wakeUp: (() => void) | undefined;

  constructor(private readonly options: BackoffOptions) {
    this.random = options.random ?? Math.random;
  }

  /** The ceiling of the next delay, before jitter. */
  get ceilingMs(): number {
    // 2^31 already exceeds any sane cap; stop growing the exponent to avoid Infinity.
    const exponent = Math.min(this.attempt, 31);
    return Math.min(this.options.maxMs, this.options.baseMs * 2 ** exponent);
  }

  get attempts(): number {
    return this.attempt;
  }

  nextDelayMs(): number {
    const delay = Math.floor(this.random() * this.ceilingMs);
    this.attempt++;
    return delay;
  }

  reset(): void {
    this.attempt = 0;
  }

  /** A connection was welcomed: the backoff starts over once it has stayed up `afterMs`. */
  resetWhenHealthy(afterMs = HEALTHY_CONNECTION_MS): void {
    clearTimeout(this.healthyTimer);
    this.healthyTimer = setTimeout(() => this.reset(), afterMs);
  }

  /** The connection ended (or never was healthy): no reset pending. */
  cancelHealthyReset(): void {
    clearTimeout(this.healthyTimer);
    this.healthyTimer = undefined;
  }

  /** Waits `ms`, unless `wake()` cuts the wait short (a stop, an agent.conf change, a fixed truststore). */
  wait(ms: number): Promise<void> {
    return new Promise((resolve) => {
      const done = (): void => {
        clearTimeout(timer);
        this.wakeUp = undefined;
        resolve();
      };
      const timer = setTimeout(done, ms);
      this.wakeUp = done;
    });
  }

  get waiting(): boolean {
    return this.wakeUp !== undefined;
  }

  wake(): void {
    this.wakeUp?.();
  }
}
