import { jest } from '@jest/globals';
import { HeartbeatWheel } from './heartbeat-wheel.js';

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

describe('HeartbeatWheel', () => {
  it('beats a thousand members about once per interval each on a single timer', async () => {
    const wheel = new HeartbeatWheel(200); // one slot (slots are 250 ms at most)
    const intervals = jest.spyOn(globalThis, 'setInterval');
    const timeouts = jest.spyOn(globalThis, 'setTimeout');
    const beats = new Map<number, number>();
    const members = Array.from({ length: 1000 }, (_, i) => ({
      beat: () => beats.set(i, (beats.get(i) ?? 0) + 1),
    }));
    for (const m of members) wheel.add(m);
    // ADR 36: no timer per session; the wheel's own is the only one added.
    expect(intervals).toHaveBeenCalledTimes(1);
    expect(timeouts).not.toHaveBeenCalled();
    intervals.mockRestore();
    timeouts.mockRestore();
    await sleep(700);
    for (const m of members) wheel.remove(m);
    expect(beats.size).toBe(1000);
    for (const n of beats.values()) expect(n).toBeGreaterThanOrEqual(2);
    for (const n of beats.values()) expect(n).toBeLessThanOrEqual(4);
  });

  it('spreads members over slots and gives each its first beat about one interval after it joined', async () => {
    const wheel = new HeartbeatWheel(1000); // 4 slots of 250 ms
    const firstBeat: number[] = [];
    const joined: number[] = [];
    const members = Array.from({ length: 4 }, (_, i) => ({
      beat: () => (firstBeat[i] ??= Date.now()),
    }));
    for (const [i, m] of members.entries()) {
      joined[i] = Date.now();
      wheel.add(m);
      await sleep(260);
    }
    await sleep(1100);
    for (const m of members) wheel.remove(m);
    for (let i = 0; i < 4; i++) {
      const after = firstBeat[i]! - joined[i]!;
      expect(after).toBeGreaterThan(700);
      expect(after).toBeLessThan(1500);
    }
    expect(wheel.size).toBe(0);
  });

  it('keeps beating the others when one member throws or removes itself', async () => {
    const wheel = new HeartbeatWheel(50);
    let good = 0;
    const leaving = { beat: () => wheel.remove(leaving) };
    wheel.add({
      beat: () => {
        throw new Error('boom');
      },
    });
    wheel.add(leaving);
    const counter = { beat: () => good++ };
    wheel.add(counter);
    await sleep(180);
    expect(good).toBeGreaterThanOrEqual(2);
    expect(wheel.size).toBe(2);
  });
});
