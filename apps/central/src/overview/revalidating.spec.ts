import { Revalidating } from './revalidating.js';

describe('Revalidating', () => {
  it('waits for the first read, then answers the last value at once and refreshes it when old', async () => {
    let clock = 0;
    let reads = 0;
    let release: (() => void) | undefined;
    const value = new Revalidating(
      async () => {
        reads++;
        if (reads > 1) await new Promise<void>((r) => (release = r));
        return reads;
      },
      1000,
      () => undefined,
      () => clock,
    );
    expect((await value.get()).value).toBe(1);
    clock = 500;
    expect((await value.get()).value).toBe(1);
    expect(reads).toBe(1);
    clock = 1500;
    expect((await value.get()).value).toBe(1); // old, answered at once; a read started
    expect((await value.get()).value).toBe(1); // one background read at a time
    expect(reads).toBe(2);
    release!();
    await new Promise((r) => setImmediate(r));
    expect(await value.get()).toEqual({ value: 2, at: new Date(1500) });
  });

  it('keeps the last value when a background read fails, and reports it', async () => {
    let clock = 0;
    let fail = false;
    const errors: unknown[] = [];
    const value = new Revalidating(
      async () => {
        if (fail) throw new Error('database gone');
        return 'ok';
      },
      10,
      (e) => errors.push(e),
      () => clock,
    );
    await value.get();
    fail = true;
    clock = 100;
    expect((await value.get()).value).toBe('ok');
    await new Promise((r) => setImmediate(r));
    expect(errors).toHaveLength(1);
    expect((await value.get()).value).toBe('ok');
  });
});
