/**
 * Waits for a push to end: polls the swarms every 100 ms until `expected` agents acknowledged it
 * (synchronized or failed) or the deadline passed, logging progress every 2 s. Shared by the push
 * through central (push-phase.ts) and the bare ceiling's (bare-push-phase.ts).
 */
import { type BenchContext } from '../connections/bench-context.js';
import { epochNow, sleep } from '../connections/stats.js';

export interface AwaitLimits {
  deadlineMs: number;
  /** Prefix of the progress lines. */
  label: string;
  signal?: AbortSignal;
  log: (line: string) => void;
}

/** Resolves with the time from `startedAt` (epoch ms) to the last acknowledgement or the deadline. */
export async function awaitDeliveries(
  ctx: BenchContext,
  expected: number,
  startedAt: number,
  limits: AwaitLimits,
): Promise<number> {
  let lastLog = 0;
  for (;;) {
    const counts = (await ctx.eachSwarm({ type: 'status' }, 'status')).map((s) => s.deliveries);
    const sum = (k: 'received' | 'synchronized' | 'failed') => counts.reduce((a, c) => a + c[k], 0);
    const elapsed = epochNow() - startedAt;
    if (sum('synchronized') + sum('failed') >= expected || elapsed > limits.deadlineMs) return elapsed;
    limits.signal?.throwIfAborted();
    if (elapsed - lastLog >= 2000) {
      lastLog = elapsed;
      limits.log(
        `${limits.label}: ${sum('received')} received, ${sum('synchronized')} synchronized, ${sum('failed')} failed after ${(elapsed / 1000).toFixed(1)} s`,
      );
    }
    await sleep(100);
  }
}
