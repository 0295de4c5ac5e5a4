import { pushTarget, targetMisses } from './push-target.js';

describe('pushTarget', () => {
  it('is 3 s for 10,000 agents and 15 s for 50,000 (issue 15), 1 GB extra for both', () => {
    expect(pushTarget(10_000)).toEqual({ p99Ms: 3000, extraKb: 1024 * 1024 });
    expect(pushTarget(50_000)).toEqual({ p99Ms: 15_000, extraKb: 1024 * 1024 });
  });

  it('keeps 3 s below 10,000 agents and grows linearly above', () => {
    expect(pushTarget(1000).p99Ms).toBe(3000);
    expect(pushTarget(20_000).p99Ms).toBe(6000);
    expect(pushTarget(100_000).p99Ms).toBe(30_000);
  });

  it('refuses a count that is not a positive whole number', () => {
    expect(() => pushTarget(0)).toThrow('positive whole number of agents, got 0');
    expect(() => pushTarget(1.5)).toThrow('got 1.5');
  });
});

describe('targetMisses', () => {
  const ok = { agents: 10_000, synchronized: 10_000, p99Ms: 2900, extraKb: 50 * 1024 };

  it('is empty when every agent is synchronized in time within the memory', () => {
    expect(targetMisses(ok)).toBe('');
  });

  it('names each miss with its factor', () => {
    expect(targetMisses({ ...ok, p99Ms: 4500 })).toBe('time ×1.50');
    expect(targetMisses({ ...ok, synchronized: 9990, extraKb: 2 * 1024 * 1024 })).toBe(
      '10 not synchronized, memory ×2.00',
    );
  });

  it('counts an unknown figure (NaN) as missed', () => {
    expect(targetMisses({ ...ok, p99Ms: NaN })).toBe('time ×NaN');
  });
});
