import { jest } from '@jest/globals';
import { HelloDeadlines } from './hello-deadlines.js';

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

describe('HelloDeadlines', () => {
  it('keeps the hello time of a thousand sessions on a single timer and tells only those without hello', async () => {
    const deadlines = new HelloDeadlines(60);
    const timeouts = jest.spyOn(globalThis, 'setTimeout');
    const overdue: number[] = [];
    const sessions = Array.from({ length: 1000 }, (_, i) => ({ helloOverdue: () => overdue.push(i) }));
    for (const s of sessions) deadlines.add(s);
    // ADR 54: no timer per session; the first one added sets the only timer.
    expect(timeouts).toHaveBeenCalledTimes(1);
    timeouts.mockRestore();
    for (const s of sessions.slice(0, 990)) deadlines.remove(s); // their hello came
    expect(deadlines.size).toBe(10);
    await sleep(150);
    expect(overdue).toEqual([990, 991, 992, 993, 994, 995, 996, 997, 998, 999]);
    expect(deadlines.size).toBe(0);
    await sleep(100);
    expect(overdue).toHaveLength(10); // told once
  });

  it('gives a session added later its own full time', async () => {
    const deadlines = new HelloDeadlines(100);
    const told = new Map<string, number>();
    const start = performance.now();
    deadlines.add({ helloOverdue: () => told.set('first', performance.now() - start) });
    await sleep(60);
    deadlines.add({ helloOverdue: () => told.set('second', performance.now() - start) });
    await sleep(250);
    expect(told.get('first')).toBeGreaterThanOrEqual(99);
    expect(told.get('second')).toBeGreaterThanOrEqual(159);
  });

  it('holds no timer once every session said hello, and a session that throws does not keep others open', async () => {
    const deadlines = new HelloDeadlines(30);
    const gone = { helloOverdue: () => undefined };
    deadlines.add(gone);
    deadlines.remove(gone);
    expect((deadlines as unknown as { timer: unknown }).timer).toBeUndefined();
    const told: string[] = [];
    deadlines.add({
      helloOverdue: () => {
        throw new Error('socket gone');
      },
    });
    deadlines.add({ helloOverdue: () => told.push('second') });
    await sleep(100);
    expect(told).toEqual(['second']);
  });
});
