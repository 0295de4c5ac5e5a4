import { type ProfileState } from '../../../../libs/protocol/index.js';
import { type RolloutAgentState, type RolloutMode } from '../../../../libs/api/rollouts.js';

// The states and modes are part of the wire types (libs/api): one list for central, the API and the UI.
export {
  ROLLOUT_AGENT_STATES,
  type RolloutAgentState,
  type RolloutMode,
} from '../../../../libs/api/rollouts.js';

export interface Transition {
  state: RolloutAgentState;
  reason: string | null;
  /** The delivery starts over: a new attempt (and deliveryId), so answers to the old one are ignored. */
  restart?: boolean;
}

// How far a delivery has got. A stale entry takes any genuine answer: the agent is the truth.
const PROGRESS: Partial<Record<RolloutAgentState, number>> = {
  pending: 0,
  stale: 0,
  synchronizing: 1,
  synchronized: 2,
  applying: 3,
  applied: 4,
};

/** How far a delivery (or an agent's answer) has got: 0 nothing yet … 4 applied. */
export function progressOf(state: RolloutAgentState): number {
  return PROGRESS[state] ?? 0;
}

/** The state in which the rollout's work for this agent is done. */
export function goalOf(mode: RolloutMode): RolloutAgentState {
  return mode === 'publish' ? 'applied' : 'synchronized';
}

/**
 * The entry's next state after an agent's `profile.status` for the current attempt, or undefined to
 * ignore it: duplicates and late, out-of-order answers never move an entry backwards, a finished attempt
 * (applied, failed) stays as it is, and a synchronize-only rollout never records an activation it did
 * not ask for.
 */
export function afterStatus(
  current: RolloutAgentState,
  mode: RolloutMode,
  reported: { state: ProfileState; reason?: string },
): Transition | undefined {
  // Cancelled entries were superseded or their rollout stopped: a late answer must not revive them.
  if (['needs_upgrade', 'failed', 'applied', 'cancelled'].includes(current)) return undefined;
  if (mode === 'synchronize' && (reported.state === 'applying' || reported.state === 'applied'))
    return undefined;
  if (reported.state === 'failed') {
    if (mode === 'synchronize' && current === 'synchronized') return undefined;
    return { state: 'failed', reason: reported.reason ?? 'failed without a reason' };
  }
  const from = progressOf(current);
  const to = progressOf(reported.state);
  return to > from ? { state: reported.state, reason: null } : undefined;
}

/**
 * A finished rollout's record is final (ADR 28): nothing in a cancelled rollout moves at hello any more,
 * and in a completed one an entry that reached its goal, failed or was cancelled stays as it was
 * recorded, whatever the agent runs later. What a completed rollout still has under way (agents that
 * were offline, stale, or waiting for an upgrade) goes on.
 */
export function recordIsFinal(entry: {
  state: RolloutAgentState;
  mode: RolloutMode;
  rolloutState: string;
}): boolean {
  if (entry.rolloutState === 'cancelled') return true;
  if (entry.rolloutState !== 'completed') return false;
  return entry.state === goalOf(entry.mode) || entry.state === 'failed' || entry.state === 'cancelled';
}

/** What the agent says it has, at hello (docs/design.md §8: re-checked at every hello). */
export interface HelloProfiles {
  active: string | null;
  staged: string | null;
  /**
   * The hello's `candidate`: true on the connection an activation opens to try new settings, false on
   * any other; undefined from agents older than the field, whose two hellos cannot be told apart.
   */
  candidate?: boolean;
}

/**
 * The entry corrected against what the agent reports at hello, or undefined when it already tells the
 * truth. An agent that runs the revision is applied (synchronized for a synchronize-only rollout); one
 * that has it staged is synchronized (an "applied" claim it no longer backs goes back there, and it is
 * activated again); one that has neither starts over, whatever the table said before.
 */
export function afterHello(
  current: RolloutAgentState,
  mode: RolloutMode,
  sha256: string,
  agent: HelloProfiles,
): Transition | undefined {
  if (current === 'needs_upgrade' || current === 'cancelled') return undefined;
  const goal = goalOf(mode);
  if (agent.active === sha256) {
    if (current === goal) return undefined;
    if (current === 'failed' && mode === 'synchronize') return undefined;
    return { state: goal, reason: null };
  }
  const reported = `the agent reported ${describe(agent)} at hello`;
  if (agent.staged === sha256) {
    // Not the candidate's hello, yet the new profile is still only staged: the activation never
    // committed (the agent was stopped or killed in its candidate window). It is sent again; the same
    // attempt, so a `failed` the agent may still have on its way for it still counts.
    if (current === 'applying' && agent.candidate === false)
      return {
        state: 'synchronized',
        reason: `${reported}; the activation did not commit, activating again`,
      };
    // Mid-activation (the candidate connection's hello) or already staged: nothing to correct.
    if (current === 'applying' || current === 'synchronized' || current === 'failed') return undefined;
    if (current === 'applied') return { state: 'synchronized', reason: `${reported}; activating again` };
    return { state: 'synchronized', reason: null };
  }
  if (current === 'pending' || current === 'failed') return undefined;
  return { state: 'pending', reason: `${reported}; synchronizing again`, restart: true };
}

function describe(agent: HelloProfiles): string {
  const short = (sha: string) => sha.slice(0, 12);
  const active = agent.active ? `profile ${short(agent.active)}` : 'no profile';
  return agent.staged ? `${active} (staged ${short(agent.staged)})` : active;
}
