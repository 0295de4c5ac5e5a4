import { upgradeNeeded, type AgentFacts } from './capability-gate.js';
import { type DeliveryEntry } from './rollout.types.js';

export type Step = 'sync' | 'activate';

export type Delivery =
  | { kind: 'send'; entry: DeliveryEntry; step: Step }
  | { kind: 'needs_upgrade'; entry: DeliveryEntry; reason: string };

// Rollouts that send frames for their waves; a paused, halted or cancelled one sends nothing new.
const SENDING = new Set(['running', 'awaiting_approval', 'completed']);

/** The step this entry waits for central to send, if any (ignoring what was already sent). */
function stepOf(entry: DeliveryEntry): Step | undefined {
  if (entry.state === 'pending') return 'sync';
  if (entry.state === 'synchronized' && entry.mode === 'publish') return 'activate';
  return undefined;
}

/** Sent on this very session and not answered yet, or acknowledged and under way at the agent. */
function inFlight(entry: DeliveryEntry, sessionId: string): boolean {
  if (entry.state === 'synchronizing' || entry.state === 'applying') return true;
  const step = stepOf(entry);
  return step !== undefined && entry.sentStep === step && entry.sentSession === sessionId;
}

/**
 * The one delivery to make to an agent now, if any. One thing at a time per agent: nothing while a step
 * is under way. The newest rollout that reached the agent speaks first while it is sending; otherwise
 * the rollout that set the agent's desired profile keeps it there (a reset agent gets it back).
 * An agent that cannot run the revision is marked needs_upgrade instead of being sent it.
 */
export function planDelivery(
  entries: DeliveryEntry[],
  sessionId: string,
  agent: AgentFacts,
): Delivery | undefined {
  if (entries.some((e) => (e.newest || e.desired) && inFlight(e, sessionId))) return undefined;
  const ordered = [
    ...entries.filter((e) => e.newest && SENDING.has(e.rolloutState)),
    ...entries.filter((e) => e.desired && !(e.newest && SENDING.has(e.rolloutState))),
  ];
  for (const entry of ordered) {
    const step = stepOf(entry);
    if (!step) continue;
    if (step === 'sync') {
      const reason = upgradeNeeded(entry, agent);
      if (reason) return { kind: 'needs_upgrade', entry, reason };
    }
    return { kind: 'send', entry, step };
  }
  return undefined;
}
