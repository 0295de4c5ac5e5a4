/** A worker that ran at least this long was healthy: the next crash starts the backoff again. */
export const STABLE_AFTER_MS = 60_000;
const FIRST_DELAY_MS = 1_000;
const MAX_DELAY_MS = 30_000;

/**
 * How long to wait before replacing a worker that exited, per worker slot. A worker that crashes again
 * soon after its start (bad configuration, a port taken, the database gone) is replaced after 1, 2, 4 …
 * 30 s instead of in a tight loop; one that had run for a while is replaced at once.
 */
export class RespawnBackoff {
  private quickFailures = 0;

  /** Records an exit after `ranMs` of life; returns the delay before the replacement starts. */
  exited(ranMs: number): number {
    if (ranMs >= STABLE_AFTER_MS) {
      this.quickFailures = 0;
      return 0;
    }
    this.quickFailures += 1;
    return Math.min(MAX_DELAY_MS, FIRST_DELAY_MS * 2 ** (this.quickFailures - 1));
  }
}
