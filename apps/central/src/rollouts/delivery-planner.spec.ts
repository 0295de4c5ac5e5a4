import { planDelivery } from './delivery-planner.js';
import { deliveryEntry } from './testing/delivery-entry.js';

const SESSION = '11111111-1111-1111-1111-111111111111';
const agent = { agentVersion: '1.0.0', capabilities: ['wss'] };

const entry = deliveryEntry;

describe('planDelivery', () => {
  it('syncs a pending entry, activates a synchronized one in a publish', () => {
    expect(planDelivery([entry({})], SESSION, agent)).toMatchObject({ kind: 'send', step: 'sync' });
    expect(planDelivery([entry({ state: 'synchronized' })], SESSION, agent)).toMatchObject({
      kind: 'send',
      step: 'activate',
    });
    expect(
      planDelivery([entry({ state: 'synchronized', mode: 'synchronize' })], SESSION, agent),
    ).toBeUndefined();
  });

  it('does not repeat what went out on this session, but does on a new one', () => {
    const sent = entry({ sentStep: 'sync', sentSession: SESSION });
    expect(planDelivery([sent], SESSION, agent)).toBeUndefined();
    expect(planDelivery([sent], '22222222-2222-2222-2222-222222222222', agent)).toMatchObject({
      step: 'sync',
    });
  });

  it('sends nothing for a paused or halted rollout, except to keep a desired profile in place', () => {
    expect(planDelivery([entry({ rolloutState: 'paused' })], SESSION, agent)).toBeUndefined();
    expect(planDelivery([entry({ rolloutState: 'halted', desired: true })], SESSION, agent)).toMatchObject({
      step: 'sync',
    });
  });

  it('one delivery at a time per agent', () => {
    const busy = entry({ rolloutId: 'r2', state: 'synchronizing' });
    const desired = entry({ newest: false, desired: true });
    expect(planDelivery([busy, desired], SESSION, agent)).toBeUndefined();
  });

  it('marks an agent that cannot run the revision needs_upgrade instead of sending it', () => {
    expect(planDelivery([entry({ minimumAgentVersion: '2.0.0' })], SESSION, agent)).toMatchObject({
      kind: 'needs_upgrade',
      reason: 'agent version 1.0.0 is below the minimum 2.0.0',
    });
  });
});
