import { type DeliveryEntry } from '../rollout.types.js';

/** A rollout entry for unit tests: a pending first delivery of a publish, with `over` on top. */
export function deliveryEntry(over: Partial<DeliveryEntry> = {}): DeliveryEntry {
  return {
    rolloutId: 'r1',
    agentId: 'a1',
    wave: 1,
    state: 'pending',
    attempts: 0,
    sentStep: null,
    sentSession: null,
    mode: 'publish',
    rolloutState: 'running',
    rolloutCreatedAt: new Date(0),
    stepTimeoutSeconds: 300,
    profile: 'p',
    revision: 1,
    sha256: 'a'.repeat(64),
    sizeBytes: 10,
    minimumAgentVersion: '0.1.0',
    requiredCapabilities: [],
    newest: true,
    desired: false,
    ...over,
  };
}
