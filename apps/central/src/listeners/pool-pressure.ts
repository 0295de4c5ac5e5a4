import { type PoolLike } from '../database/database-pool.js';

export { type PoolLike };

/** Statements have waited this long with no connection handed out: the pool is stuck, not just busy. */
export const POOL_STALL_MS = 1_000;

/**
 * Tells an upgrade at once that the database pool is exhausted (issue 15, "Bad input and faults"). Without
 * it an upgrade queued behind a stuck pool for the pool's whole wait (10 s) before it was refused, and so
 * did every hello behind it; the agent got its 503 late, the event loop held their sockets meanwhile.
 *
 * Exhausted means every connection is busy and statements wait for one, and either more wait than
 * `maxWaiting` (more than the admission control would ever queue there) or none was handed out for
 * `stallMs` (connections held by statements that do not end). A busy but moving pool hands connections
 * out every few milliseconds, so a storm's short queue is never refused by this.
 */
export class PoolPressure {
  private handedOutAt: number;

  constructor(
    private readonly pool: PoolLike,
    private readonly maxWaiting: number,
    private readonly stallMs = POOL_STALL_MS,
    private readonly clock: () => number = () => performance.now(),
  ) {
    this.handedOutAt = clock();
    pool.on('acquire', () => {
      this.handedOutAt = this.clock();
    });
  }

  /** Why new database work would wait for the pool far too long (in words, for the log), or undefined. */
  exhausted(): string | undefined {
    const { totalCount, idleCount, waitingCount } = this.pool;
    if (waitingCount === 0 || idleCount > 0) return undefined;
    const max = this.pool.options?.max ?? totalCount;
    if (totalCount < max) return undefined; // a connection is being opened for the waiters
    const stalledMs = this.clock() - this.handedOutAt;
    if (waitingCount <= this.maxWaiting && stalledMs < this.stallMs) return undefined;
    return (
      `${totalCount} of ${max} pool connections busy, ${waitingCount} statement(s) waiting, ` +
      `none handed out for ${(stalledMs / 1000).toFixed(1)} s`
    );
  }
}
