import type { RolloutAction, RolloutState, RolloutSummary } from '../../../../../libs/api/rollouts.js';

/** Which actions each state allows (the API answers 409 otherwise). */
const ACTIONS_FROM: Record<RolloutState, RolloutAction[]> = {
  running: ['pause', 'cancel', 'retry-failed'],
  awaiting_approval: ['approve', 'pause', 'cancel', 'retry-failed'],
  paused: ['resume', 'cancel', 'retry-failed'],
  halted: ['retry-failed', 'cancel'],
  completed: ['retry-failed'],
  cancelled: [],
};

/**
 * The actions worth offering on a rollout now: those its state allows, less those with nothing to act on
 * ("Retry failed" only when an agent failed or went stale; "Approve next wave" only when one is left).
 */
export function applicableActions(
  r: Pick<RolloutSummary, 'state' | 'states' | 'currentWave' | 'waveCount'>,
): RolloutAction[] {
  const retryable = (r.states.failed ?? 0) + (r.states.stale ?? 0);
  return ACTIONS_FROM[r.state].filter((a) => {
    if (a === 'retry-failed') return retryable > 0;
    if (a === 'approve') return r.currentWave < r.waveCount;
    return true;
  });
}
