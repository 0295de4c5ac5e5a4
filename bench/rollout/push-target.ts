/**
 * What a push must achieve (issue 15): a 50 KB revision synchronized to 10,000 agents within 3 s at p99,
 * to 50,000 within 15 s, with at most 1 GB of extra central memory (summed over central's processes).
 * Between and beyond the two sizes the time grows with the fleet (0.3 ms per agent); below 10,000 the
 * 3 s of the smaller size still hold.
 */

export interface PushTarget {
  p99Ms: number;
  extraKb: number;
}

const BASE_AGENTS = 10_000;
const BASE_P99_MS = 3000;
/** 15 s for 50,000 and 3 s for 10,000 are the same rate. */
const MS_PER_AGENT = BASE_P99_MS / BASE_AGENTS;
const EXTRA_KB = 1024 * 1024;

export function pushTarget(agents: number): PushTarget {
  if (!Number.isInteger(agents) || agents < 1) {
    throw new Error(`a push target needs a positive whole number of agents, got ${agents}`);
  }
  return { p99Ms: Math.max(BASE_P99_MS, agents * MS_PER_AGENT), extraKb: EXTRA_KB };
}

/** What was missed, in words ('' when the push met its target). */
export function targetMisses(
  push: { agents: number; synchronized: number; p99Ms: number; extraKb: number },
  target: PushTarget = pushTarget(push.agents),
): string {
  const misses: string[] = [];
  if (push.synchronized < push.agents) misses.push(`${push.agents - push.synchronized} not synchronized`);
  if (!(push.p99Ms <= target.p99Ms)) misses.push(`time ×${(push.p99Ms / target.p99Ms).toFixed(2)}`);
  if (!(push.extraKb <= target.extraKb)) misses.push(`memory ×${(push.extraKb / target.extraKb).toFixed(2)}`);
  return misses.join(', ');
}
