/** At most this many uses of one token are asked for in one statement. */
const MAX_USES_PER_STATEMENT = 500;

interface Waiter {
  resolve: (granted: boolean) => void;
  reject: (error: unknown) => void;
}

/**
 * Uses of one enrollment token, asked for together. Each use is a row update of the same token, so when
 * thousands of agents enroll with one token at once, every enrollment waited for the previous one's
 * commit (16 s of lock waits over 10,000 enrollments in the rollout bench). While a use of a token is
 * being written, later uses of that token gather and go out as one statement that grants as many as the
 * token still allows, first come first served: like group commit, no delay when there is no crowd.
 */
export class TokenUseCoalescer {
  private readonly waiting = new Map<string, Waiter[]>();

  /** `take(tokenHash, n)` uses the token up to n times atomically and answers how many it granted. */
  constructor(private readonly take: (tokenHash: string, wanted: number) => Promise<number>) {}

  /** True when this use of the token was granted. */
  use(tokenHash: string): Promise<boolean> {
    return new Promise<boolean>((resolve, reject) => {
      const queue = this.waiting.get(tokenHash);
      if (queue) {
        queue.push({ resolve, reject });
        return;
      }
      this.waiting.set(tokenHash, [{ resolve, reject }]);
      void this.drain(tokenHash);
    });
  }

  private async drain(tokenHash: string): Promise<void> {
    const queue = this.waiting.get(tokenHash)!;
    while (queue.length > 0) {
      const batch = queue.splice(0, MAX_USES_PER_STATEMENT);
      try {
        const granted = await this.take(tokenHash, batch.length);
        batch.forEach((w, i) => w.resolve(i < granted));
      } catch (error) {
        for (const w of batch) w.reject(error);
      }
    }
    this.waiting.delete(tokenHash);
  }
}
