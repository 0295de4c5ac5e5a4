import { PeriodicTask } from './periodic-task.js';

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

describe('PeriodicTask', () => {
  it('runs one at a time: ticks during a slow run are skipped, not queued', async () => {
    let active = 0;
    let most = 0;
    let runs = 0;
    const task = new PeriodicTask(10, async () => {
      active++;
      most = Math.max(most, active);
      runs++;
      await sleep(60);
      active--;
    }).start({ immediately: true });
    await sleep(200);
    await task.stop();
    expect(most).toBe(1);
    expect(runs).toBeGreaterThanOrEqual(2);
    expect(runs).toBeLessThanOrEqual(5); // 200 ms of 60 ms runs, not one per 10 ms tick
  });

  it('stop() waits for the run in progress and no run starts after it', async () => {
    let finished = false;
    let started = 0;
    const task = new PeriodicTask(5, async () => {
      started++;
      await sleep(50);
      finished = true;
    });
    void task.runNow();
    await task.stop();
    expect(finished).toBe(true);
    const before = started;
    await task.runNow();
    await sleep(30);
    expect(started).toBe(before);
  });

  it('reports a failed run and keeps ticking', async () => {
    const errors: string[] = [];
    let calls = 0;
    const task = new PeriodicTask(
      10,
      () => {
        calls++;
        if (calls === 1) throw new Error('database gone');
      },
      (e) => errors.push(e.message),
    ).start({ immediately: true });
    await sleep(60);
    await task.stop();
    expect(errors).toEqual(['database gone']);
    expect(calls).toBeGreaterThan(1);
  });

  it('refuses an interval that is not positive', () => {
    expect(() => new PeriodicTask(0, () => undefined)).toThrow('positive interval');
  });
});
