import type { WaveView } from '../../../../../libs/api/rollouts.js';
import { overallProgress, percentOf, waveProgress } from './rollout-progress.js';

const wave = (w: Partial<WaveView>): WaveView => ({
  wave: 1,
  size: 0,
  states: {},
  eligible: 0,
  done: 0,
  ...w,
});

describe('rollout progress counts every targeted agent', () => {
  it('a cancelled rollout where 2 of 5 never got it is 60 %, not a green 100 %', () => {
    const waves = [
      wave({ wave: 1, size: 3, states: { applied: 3 }, eligible: 3, done: 3 }),
      wave({ wave: 2, size: 2, states: { cancelled: 2 }, eligible: 0, done: 0 }),
    ];
    const p = overallProgress(waves);
    expect(p).toEqual({ done: 3, total: 5, detail: 'not reached: 2 cancelled' });
    expect(percentOf(p.done, p.total)).toBe(60);
    expect(waveProgress(waves[1]!)).toEqual({ done: 0, total: 2, detail: '2 cancelled' });
  });

  it('names agents that need an upgrade, failed or went stale as not reached', () => {
    const p = overallProgress([
      wave({ size: 4, states: { applied: 1, needs_upgrade: 1, failed: 1, stale: 1 }, eligible: 3, done: 1 }),
    ]);
    expect(p.detail).toBe('not reached: 1 need an agent upgrade, 1 failed, 1 stale');
  });

  it('shows 100 % only when every target is done', () => {
    expect(percentOf(999, 1000)).toBe(99);
    expect(percentOf(1000, 1000)).toBe(100);
    expect(percentOf(0, 0)).toBe(0);
    expect(overallProgress([wave({ size: 2, states: { applied: 2 }, done: 2 })]).detail).toBeUndefined();
  });
});
