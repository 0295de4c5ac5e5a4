import { type RecordOutcome, type StatusAnswer } from './progress-hold.js';
import { afterStatus } from './rollout-agent-state.js';
import { type StateChange } from './rollout-deliveries.repository.js';
import { type DeliveryEntry } from './rollout.types.js';

export type Judgement =
  | { outcome: Extract<RecordOutcome, { recorded: true }>; change: StateChange; entry: DeliveryEntry }
  | { outcome: Extract<RecordOutcome, { recorded: false }>; change?: undefined; entry?: undefined };

/**
 * What an agent's `profile.status` does to its rollout entry as it stands: only an answer that belongs to
 * the entry's current attempt and to the revision's sha256 counts, and it moves the entry only forwards
 * (afterStatus). The change holds only if the entry is still in this state and attempt when written.
 */
export function judgeAnswer(answer: StatusAnswer, entry: DeliveryEntry | undefined): Judgement {
  const { agentId, status } = answer;
  if (!entry) return { outcome: { recorded: false, why: 'no such delivery for this agent' } };
  if (entry.attempts !== answer.attempt)
    return {
      outcome: { recorded: false, why: `attempt ${answer.attempt} was replaced by ${entry.attempts}` },
    };
  if (entry.sha256 !== status.sha256)
    return {
      outcome: { recorded: false, why: `sha256 ${status.sha256} is not the revision's ${entry.sha256}` },
    };
  const next = afterStatus(entry.state, entry.mode, status);
  if (!next) return { outcome: { recorded: false, why: 'duplicate' } };
  return {
    outcome: { recorded: true, state: status.state, mode: entry.mode },
    change: {
      rolloutId: entry.rolloutId,
      agentId,
      fromState: entry.state,
      attempts: entry.attempts,
      state: next.state,
      reason: next.state === 'failed' ? next.reason : null,
    },
    entry,
  };
}
