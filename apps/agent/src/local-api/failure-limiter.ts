/** How many wrong passwords one address may send per window, and how many all addresses together. */
export interface FailureLimits {
  perAddress: number;
  total: number;
  windowMs: number;
}

export const DEFAULT_FAILURE_LIMITS: FailureLimits = { perAddress: 5, total: 20, windowMs: 60_000 };

/**
 * Counts wrong passwords in a sliding window, per client address and in total (a network of addresses
 * must not get 5 guesses each). While an address is over its limit its requests are refused unread,
 * so guessing costs the agent no scrypt work.
 */
export class FailureLimiter {
  private readonly byAddress = new Map<string, number[]>();
  private all: number[] = [];

  constructor(
    readonly limits: FailureLimits = DEFAULT_FAILURE_LIMITS,
    private readonly now: () => number = () => Date.now(),
  ) {}

  /** Milliseconds until `address` may try again, or 0 when it may try now. */
  blockedFor(address: string): number {
    const now = this.now();
    const own = this.recent(address, now);
    this.all = this.all.filter((t) => t > now - this.limits.windowMs);
    let until = 0;
    if (own.length >= this.limits.perAddress)
      until = own[own.length - this.limits.perAddress] + this.limits.windowMs;
    if (this.all.length >= this.limits.total) {
      until = Math.max(until, this.all[this.all.length - this.limits.total] + this.limits.windowMs);
    }
    return Math.max(0, until - now);
  }

  /** Records a wrong password; returns how many `address` sent within the window, this one included. */
  fail(address: string): number {
    const now = this.now();
    const own = this.recent(address, now);
    own.push(now);
    this.byAddress.set(address, own);
    this.all.push(now);
    return own.length;
  }

  private recent(address: string, now: number): number[] {
    const kept = (this.byAddress.get(address) ?? []).filter((t) => t > now - this.limits.windowMs);
    if (kept.length === 0) this.byAddress.delete(address);
    else this.byAddress.set(address, kept);
    return kept;
  }
}
