import { ACTIONS_FROM, type RolloutAction, type RolloutSummary } from '../../api/rollout-types.js';

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
