/**
 * Shedding before TLS (issue 15, ADR 26): a TLS handshake costs central more CPU than anything else a
 * connection does, and in a restart storm the whole fleet dials at once. Measured at 50,000 agents on two
 * workers: every worker ran thousands of handshakes at once, each finished too late (clients gave up:
 * ECONNRESET), or finished only to be answered 503 because the upgrade queue was full; the event loop
 * starved so badly that database connections timed out, and 381 agents were back after 170 s.
 *
 * So a secure listener starts a handshake only while fewer than `max` are in progress in this process and
 * the upgrade queue behind them still has room. Any other connection is closed at once, before central
 * reads a byte of it: that costs an accept and a close, and the agent retries after its backoff with
 * jitter (a closed socket carries no Retry-After, but nothing cheaper exists before TLS).
 */
export class HandshakeShedding {
  private inFlight = 0;
  /** Finishes the count of a raw socket whose handshake is in progress (once). */
  private readonly pending = new WeakMap<object, () => void>();

  constructor(
    readonly max: number,
    /** True while an upgrade arriving now would be refused anyway (queue full, descriptors over budget). */
    private readonly saturated: () => boolean,
  ) {
    if (!Number.isInteger(max) || max < 1)
      throw new Error(`handshake shedding: max must be a whole number ≥ 1, got ${max}`);
  }

  /** On a raw TCP connection of a TLS listener: false ⇒ close it now, before any TLS work. */
  admit(raw: { once(event: 'close', listener: () => void): unknown }): boolean {
    if (this.inFlight >= this.max || this.saturated()) return false;
    this.inFlight++;
    let done = false;
    const finish = () => {
      if (done) return;
      done = true;
      this.inFlight--;
    };
    this.pending.set(raw, finish);
    raw.once('close', finish);
    return true;
  }

  /** The handshake on `raw` completed (or failed): its place is free for the next one. */
  finished(raw: object | undefined): void {
    if (!raw) return;
    this.pending.get(raw)?.();
    this.pending.delete(raw);
  }

  get inProgress(): number {
    return this.inFlight;
  }
}
