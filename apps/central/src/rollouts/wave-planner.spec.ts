import { decide, planWaves, type RolloutProgress } from './wave-planner.js';

describe('planWaves', () => {
  it('takes sizes as given and gives the rest to the last wave', () => {
    expect(planWaves(15, { sizes: [5, 5, 5] })).toEqual([5, 5, 5]);
    expect(planWaves(20, { sizes: [1, 4, 5] })).toEqual([1, 4, 15]);
    expect(planWaves(3, { sizes: [2, 2, 2] })).toEqual([2, 1]);
  });

  it('cuts percentages at cumulative boundaries rounded up, never leaving the first wave empty', () => {
    expect(planWaves(10, { percentages: [10, 30, 60] })).toEqual([1, 3, 6]);
    expect(planWaves(7, { percentages: [1, 49, 50] })).toEqual([1, 3, 3]);
    expect(planWaves(1, { percentages: [50, 50] })).toEqual([1]);
  });
});

describe('decide', () => {
  const base: RolloutProgress = {
    currentWave: 1,
    waveCount: 3,
    successThresholdPercent: 100,
    pauseBetweenWaves: false,
    errorThreshold: { count: 2 },
    eligible: 9,
    failed: 0,
    waveEligible: 3,
    waveDone: 3,
  };

  it('moves on, pauses for approval or completes once the wave meets the success threshold', () => {
    expect(decide(base)).toEqual({ kind: 'next_wave' });
    expect(decide({ ...base, pauseBetweenWaves: true })).toEqual({ kind: 'await_approval' });
    expect(decide({ ...base, currentWave: 3 })).toEqual({ kind: 'complete' });
    expect(decide({ ...base, waveDone: 2 })).toEqual({ kind: 'wait' });
    expect(decide({ ...base, successThresholdPercent: 66, waveDone: 2 })).toEqual({ kind: 'next_wave' });
  });

  it('treats a wave of agents that all need an upgrade as done', () => {
    expect(decide({ ...base, waveEligible: 0, waveDone: 0 })).toEqual({ kind: 'next_wave' });
  });

  it('halts at the error threshold (count or percent of eligible targets) before anything else', () => {
    expect(decide({ ...base, failed: 2 })).toEqual({
      kind: 'halt',
      reason: '2 of 9 agents failed (error threshold: 2 agent(s))',
    });
    expect(decide({ ...base, failed: 1 }).kind).toBe('next_wave');
    const percent = { ...base, errorThreshold: { percent: 30 } };
    expect(decide({ ...percent, failed: 2 }).kind).toBe('next_wave');
    expect(decide({ ...percent, failed: 3 }).kind).toBe('halt');
  });
});
