import type { RolloutAgentState, WaveView } from '../../../../../libs/api/rollouts.js';

/** States of a target that will not get the revision in this rollout (unless it is retried). */
const NOT_REACHED: RolloutAgentState[] = ['cancelled', 'needs_upgrade', 'failed', 'stale'];

export interface ProgressFigures {
  done: number;
  /** Every targeted agent: cancelled and never reached ones count, so 2 of 5 missing is never 100 %. */
  total: number;
  detail: string | undefined;
}

/** The overall figures of a rollout from its waves. */
export function overallProgress(waves: readonly WaveView[]): ProgressFigures {
  const total = waves.reduce((a, w) => a + w.size, 0);
  const done = waves.reduce((a, w) => a + w.done, 0);
  const states: Partial<Record<RolloutAgentState, number>> = {};
  for (const w of waves)
    for (const [s, n] of Object.entries(w.states)) {
      states[s as RolloutAgentState] = (states[s as RolloutAgentState] ?? 0) + (n ?? 0);
    }
  return { done, total, detail: missingDetail(states) };
}

/** One wave's figures: its size, not only the agents still eligible. */
export function waveProgress(w: WaveView): ProgressFigures {
  return { done: w.done, total: w.size, detail: stateDetail(w.states) };
}

/** "2 cancelled, 1 needs upgrade not reached": what keeps a rollout from 100 %, or undefined. */
export function missingDetail(states: Partial<Record<RolloutAgentState, number>>): string | undefined {
  const parts = NOT_REACHED.filter((s) => (states[s] ?? 0) > 0).map((s) => `${states[s]} ${words(s)}`);
  return parts.length > 0 ? `not reached: ${parts.join(', ')}` : undefined;
}

function stateDetail(states: Partial<Record<RolloutAgentState, number>>): string | undefined {
  const parts = Object.entries(states)
    .filter(([, n]) => (n ?? 0) > 0)
    .map(([s, n]) => `${n} ${words(s as RolloutAgentState)}`);
  return parts.length > 0 ? parts.join(', ') : undefined;
}

function words(s: RolloutAgentState): string {
  return s === 'needs_upgrade' ? 'need an agent upgrade' : s.replace(/_/g, ' ');
}

/** Percent shown: never 100 unless every target is done (99.6 % is not "complete"). */
export function percentOf(done: number, total: number): number {
  if (total <= 0) return 0;
  if (done >= total) return 100;
  return Math.min(99, Math.round((100 * done) / total));
}
