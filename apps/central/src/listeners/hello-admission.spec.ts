import { HelloAdmission, retryAfterSeconds } from './hello-admission.js';

describe('HelloAdmission', () => {
  it('lets `inProgress` through, queues `waiting` more and refuses the rest at once', async () => {
    const gate = new HelloAdmission({ inProgress: 2, waiting: 1, maxWaitMs: 10_000 });
    const a = await gate.enter();
    const b = await gate.enter();
    expect(a && b).toBeTruthy();
    const queued = gate.enter();
    expect(await gate.enter()).toBeUndefined();
    expect(gate.waiting).toBe(1);
    a!.release();
    a!.release(); // twice is harmless: it must not free a second place
    const c = await queued;
    expect(c).toBeDefined();
    expect(gate.inProgress).toBe(2);
    b!.release();
    c!.release();
    expect(gate.inProgress).toBe(0);
  });

  it('refuses a waiting upgrade after maxWaitMs and frees its queue place', async () => {
    const gate = new HelloAdmission({ inProgress: 1, waiting: 1, maxWaitMs: 20 });
    const held = await gate.enter();
    expect(await gate.enter()).toBeUndefined();
    expect(gate.waiting).toBe(0);
    held!.release();
    expect(gate.inProgress).toBe(0);
    expect(await gate.enter()).toBeDefined();
  });

  it('never holds more than inProgress permits under churn', async () => {
    const gate = new HelloAdmission({ inProgress: 3, waiting: 100, maxWaitMs: 10_000 });
    let holding = 0;
    let most = 0;
    await Promise.all(
      Array.from({ length: 50 }, async () => {
        const permit = await gate.enter();
        most = Math.max(most, ++holding);
        await new Promise((r) => setTimeout(r, 1));
        holding--;
        permit!.release();
      }),
    );
    expect(most).toBe(3);
    expect(gate.inProgress).toBe(0);
  });
});

describe('retryAfterSeconds', () => {
  it('spreads over [min, max]', () => {
    expect(retryAfterSeconds(1, 5, () => 0)).toBe(1);
    expect(retryAfterSeconds(1, 5, () => 0.999)).toBe(5);
  });
});
