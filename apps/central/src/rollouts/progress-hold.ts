import { type ProfileStatus } from '../../../../libs/protocol/index.js';
import { progressOf } from './rollout-agent-state.js';

/** One agent's `profile.status`, with the delivery it names. */
export interface StatusAnswer {
  agentId: string;
  status: ProfileStatus;
  rolloutId: string;
  attempt: number;
}

export type RecordOutcome =
  | { recorded: true; state: ProfileStatus['state']; mode: 'synchronize' | 'publish' }
  | { recorded: false; why: string };

export const SUPERSEDED = 'superseded by a later answer';

// Only `synchronizing`: an `applying` note must be on record before the candidate connection says hello,
// or the reconciler would take the activation for one interrupted and start it over.
const PROGRESS_NOTES = new Set<ProfileStatus['state']>(['synchronizing']);

/**
 * Holds progress notes (`synchronizing`) back for a moment before they are written. When the
 * same delivery's next answer arrives first (a download that took less than the note's hold), the note
 * is dropped and only that answer is written: one row update per step instead of two, and the state
 * shown is never behind by more than the hold, which may differ per note (RolloutStatusRecorder). Final
 * answers are written at once; an agent's answers keep their order (a held note that is not overtaken
 * goes out before the answer that follows it).
 */
export class ProgressHold {
  private readonly held = new Map<string, Held>();

  constructor(
    private readonly write: (answer: StatusAnswer) => Promise<RecordOutcome>,
    private readonly holdMs: number | ((note: StatusAnswer) => number),
  ) {}

  submit(answer: StatusAnswer): Promise<RecordOutcome> {
    const earlier = this.held.get(answer.agentId);
    if (earlier && overtakes(answer, earlier.answer)) {
      this.held.delete(answer.agentId);
      clearTimeout(earlier.timer);
      earlier.resolve({ recorded: false, why: SUPERSEDED });
    } else if (earlier) this.release(answer.agentId);
    if (!PROGRESS_NOTES.has(answer.status.state)) return this.write(answer);
    return new Promise<RecordOutcome>((resolve, reject) => {
      const holdMs = typeof this.holdMs === 'number' ? this.holdMs : this.holdMs(answer);
      const timer = setTimeout(() => this.release(answer.agentId), holdMs);
      this.held.set(answer.agentId, { answer, timer, resolve, reject });
    });
  }

  /** Writes every held note now (central is stopping). */
  releaseAll(): void {
    for (const agentId of [...this.held.keys()]) this.release(agentId);
  }

  /** Writes the agent's held note now, if any. */
  release(agentId: string): void {
    const held = this.held.get(agentId);
    if (!held) return;
    this.held.delete(agentId);
    clearTimeout(held.timer);
    this.write(held.answer).then(held.resolve, held.reject);
  }
}

interface Held {
  answer: StatusAnswer;
  timer: NodeJS.Timeout;
  resolve: (outcome: RecordOutcome) => void;
  reject: (error: unknown) => void;
}

/** The later answer is about the same delivery and further along (or its failure): the note is moot. */
function overtakes(later: StatusAnswer, note: StatusAnswer): boolean {
  if (later.status.deliveryId !== note.status.deliveryId) return false;
  if (later.status.state === 'failed') return true;
  return progressOf(later.status.state) > progressOf(note.status.state);
}
