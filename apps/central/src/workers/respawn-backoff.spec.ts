import { RespawnBackoff, STABLE_AFTER_MS } from './respawn-backoff.js';

describe('RespawnBackoff', () => {
  it('doubles the wait for workers that die soon after their start, up to 30 s', () => {
    const backoff = new RespawnBackoff();
    expect([1, 2, 3, 4, 5, 6, 7].map(() => backoff.exited(500))).toEqual([
      1000, 2000, 4000, 8000, 16_000, 30_000, 30_000,
    ]);
  });

  it('replaces a worker that had run for a while at once, and starts the backoff again', () => {
    const backoff = new RespawnBackoff();
    backoff.exited(100);
    backoff.exited(100);
    expect(backoff.exited(STABLE_AFTER_MS)).toBe(0);
    expect(backoff.exited(100)).toBe(1000);
  });
});
