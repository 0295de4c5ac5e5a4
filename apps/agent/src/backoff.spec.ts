import { Backoff } from './backoff.js';

describe('Backoff (capped exponential, full jitter)', () => {
  it('doubles the ceiling per attempt up to the cap', () => {
    const backoff = new Backoff({ baseMs: 1000, maxMs: 60_000, random: () => 0.999999 });
    const delays = Array.from({ length: 9 }, () => backoff.nextDelayMs());
    expect(delays).toEqual([999, 1999, 3999, 7999, 15_999, 31_999, 59_999, 59_999, 59_999]);
  });

  it('draws each delay uniformly from 0 up to the ceiling (full jitter)', () => {
    const low = new Backoff({ baseMs: 1000, maxMs: 60_000, random: () => 0 });
    expect([low.nextDelayMs(), low.nextDelayMs(), low.nextDelayMs()]).toEqual([0, 0, 0]);
    const half = new Backoff({ baseMs: 1000, maxMs: 60_000, random: () => 0.5 });
    expect([half.nextDelayMs(), half.nextDelayMs(), half.nextDelayMs()]).toEqual([500, 1000, 2000]);
  });

  it('stays within [0, min(max, base·2^attempt)) with real randomness, and never overflows', () => {
    const backoff = new Backoff({ baseMs: 250, maxMs: 5000 });
    for (let attempt = 0; attempt < 200; attempt++) {
      const ceiling = Math.min(5000, 250 * 2 ** attempt);
      const delay = backoff.nextDelayMs();
      expect(delay).toBeGreaterThanOrEqual(0);
      expect(delay).toBeLessThan(ceiling);
      expect(Number.isFinite(delay)).toBe(true);
    }
  });

  it('starts again from the base after reset', () => {
    const backoff = new Backoff({ baseMs: 1000, maxMs: 60_000, random: () => 0.5 });
    backoff.nextDelayMs();
    backoff.nextDelayMs();
    backoff.nextDelayMs();
    expect(backoff.attempts).toBe(3);
    backoff.reset();
    expect(backoff.attempts).toBe(0);
    expect(backoff.nextDelayMs()).toBe(500);
  });
});
