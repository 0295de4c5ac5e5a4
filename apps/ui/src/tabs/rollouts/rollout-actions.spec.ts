import { applicableActions } from './rollout-actions.js';

describe('applicableActions', () => {
  const r = { state: 'running' as const, states: {}, currentWave: 1, waveCount: 2 };

  it('offers "Retry failed" only when an agent failed or went stale', () => {
    expect(applicableActions(r)).toEqual(['pause', 'cancel']);
    expect(applicableActions({ ...r, states: { failed: 1 } })).toContain('retry-failed');
    expect(applicableActions({ ...r, states: { stale: 2, applied: 3 } })).toContain('retry-failed');
    expect(applicableActions({ ...r, state: 'completed', states: { applied: 5 } })).toEqual([]);
  });

  it('offers approval only while a wave is left, nothing on a cancelled rollout', () => {
    expect(applicableActions({ ...r, state: 'awaiting_approval' })).toEqual(['approve', 'pause', 'cancel']);
    expect(applicableActions({ ...r, state: 'awaiting_approval', currentWave: 2 })).toEqual([
      'pause',
      'cancel',
    ]);
    expect(applicableActions({ ...r, state: 'cancelled', states: { failed: 3 } })).toEqual([]);
  });
});
