import { DeliveryMemory } from './delivery-memory.js';
import { type DeliveryEntry } from './rollout.types.js';

const entry = (agentId: string, state: DeliveryEntry['state'] = 'pending') =>
  ({ rolloutId: 'r1', agentId, state, attempts: 1 }) as DeliveryEntry;

describe('DeliveryMemory', () => {
  it('recalls the entry last remembered for a rollout and agent, until forgotten', () => {
    const memory = new DeliveryMemory({ maxInFlight: 10 });
    memory.remember(entry('a1'));
    memory.remember(entry('a1', 'synchronizing'));
    expect(memory.recall('r1', 'a1')?.state).toBe('synchronizing');
    expect(memory.recall('r2', 'a1')).toBeUndefined();
    memory.forget('r1', 'a1');
    expect(memory.recall('r1', 'a1')).toBeUndefined();
  });

  it('holds at most four times the deliveries under way (at least 1,000), forgetting the oldest first', () => {
    const memory = new DeliveryMemory({ maxInFlight: 500 });
    for (let i = 0; i < 2001; i++) memory.remember(entry(`a${i}`));
    expect(memory.size()).toBe(2000);
    expect(memory.recall('r1', 'a0')).toBeUndefined();
    expect(memory.recall('r1', 'a1')).toBeDefined();
    // Remembering again makes an entry the newest: a1 outlives a2.
    memory.remember(entry('a1', 'synchronized'));
    memory.remember(entry('a2001'));
    expect(memory.recall('r1', 'a1')?.state).toBe('synchronized');
    expect(memory.recall('r1', 'a2')).toBeUndefined();
    const small = new DeliveryMemory({ maxInFlight: 1 });
    for (let i = 0; i < 1001; i++) small.remember(entry(`a${i}`));
    expect(small.size()).toBe(1000);
  });
});
