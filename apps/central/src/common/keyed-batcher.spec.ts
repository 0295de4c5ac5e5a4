import { KeyedBatcher } from './keyed-batcher.js';

describe('KeyedBatcher', () => {
  it('flushes items added together as one batch and answers each caller with its own result', async () => {
    const batches: string[][] = [];
    const batcher = new KeyedBatcher<string, string>(
      async (items) => {
        batches.push(items);
        return items.map((i) => i.toUpperCase());
      },
      { maxBatch: 10, delayMs: 5 },
    );
    const answers = await Promise.all(['a', 'b', 'c'].map((x) => batcher.add(x, x)));
    expect(answers).toEqual(['A', 'B', 'C']);
    expect(batches).toEqual([['a', 'b', 'c']]);
  });

  it('keeps two items of one key in separate batches, in their order', async () => {
    const batches: string[][] = [];
    const batcher = new KeyedBatcher<string, number>(
      async (items) => {
        batches.push(items);
        return items.map((i) => i.length);
      },
      { maxBatch: 10, delayMs: 5 },
    );
    await Promise.all([
      batcher.add('agent-1', 'first'),
      batcher.add('agent-2', 'other'),
      batcher.add('agent-1', 'second'),
      batcher.add('agent-1', 'third'),
    ]);
    expect(batches).toEqual([['first', 'other'], ['second'], ['third']]);
  });

  it('splits at the batch size and never runs two flushes at once', async () => {
    let running = 0;
    let most = 0;
    const sizes: number[] = [];
    const batcher = new KeyedBatcher<number, number>(
      async (items) => {
        running++;
        most = Math.max(most, running);
        sizes.push(items.length);
        await new Promise((r) => setTimeout(r, 10));
        running--;
        return items;
      },
      { maxBatch: 4, delayMs: 50 },
    );
    const all = Array.from({ length: 10 }, (_, i) => batcher.add(`k${i}`, i));
    expect(await Promise.all(all)).toEqual([0, 1, 2, 3, 4, 5, 6, 7, 8, 9]);
    expect(most).toBe(1);
    expect(sizes).toEqual([4, 4, 2]);
  });

  it('rejects every caller of a failed batch and goes on with the next one', async () => {
    let calls = 0;
    const batcher = new KeyedBatcher<string, string>(
      async (items) => {
        calls++;
        if (calls === 1) throw new Error('database went away');
        return items;
      },
      { maxBatch: 10, delayMs: 1 },
    );
    const first = Promise.allSettled([batcher.add('a', 'a'), batcher.add('a', 'again')]);
    const [failed, later] = await first;
    expect(failed).toEqual({ status: 'rejected', reason: new Error('database went away') });
    expect(later).toEqual({ status: 'fulfilled', value: 'again' });
    await batcher.drain();
    expect(batcher.size()).toBe(0);
  });

  it('refuses a flush that answers a different number of results', async () => {
    const batcher = new KeyedBatcher<string, string>(async () => [], { maxBatch: 10, delayMs: 1 });
    await expect(batcher.add('a', 'a')).rejects.toThrow('batch of 1 answered with 0 results');
  });

  it('tells when everything of one key is written, without waiting for other keys', async () => {
    const release: Array<() => void> = [];
    const batcher = new KeyedBatcher<string, string>(
      (items) => new Promise((resolve) => release.push(() => resolve(items))),
      { maxBatch: 10, delayMs: 1 },
    );
    const done: string[] = [];
    void batcher.add('a', 'a1').then(() => done.push('a1'));
    void batcher.add('a', 'a2').then(() => done.push('a2'));
    const settledA = batcher.settled('a').then(() => done.push('a settled'));
    await expect(batcher.settled('nothing-queued')).resolves.toBeUndefined();
    while (release.length === 0) await new Promise((r) => setTimeout(r, 1));
    release.shift()!(); // first batch: a1
    while (release.length === 0) await new Promise((r) => setTimeout(r, 1));
    void batcher.add('b', 'b1');
    release.shift()!(); // second batch: a2
    await settledA;
    expect(done).toEqual(['a1', 'a2', 'a settled']);
    while (release.length === 0) await new Promise((r) => setTimeout(r, 1));
    release.shift()!();
    await batcher.settled('b');
  });
});
