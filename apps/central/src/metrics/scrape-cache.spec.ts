import { STRANDED_MAX_AGE_MS } from './fleet-operations.metrics.js';
import { ScrapeCache } from './scrape-cache.js';

/** A source that counts its reads and answers what `value` holds when read. */
function source() {
  const s = {
    value: 1,
    reads: 0,
    fail: false,
    read: async () => {
      s.reads++;
      if (s.fail) throw new Error('database gone');
      return s.value;
    },
  };
  return s;
}

describe('ScrapeCache', () => {
  let now = 0;
  const clock = () => now;
  beforeEach(() => (now = 1_000));

  it('reads once for scrapes in a row, and again, with the new value, once the kept one is too old', async () => {
    const s = source();
    const cache = new ScrapeCache(s.read, 30_000, clock);
    expect(await cache.get()).toBe(1);
    s.value = 2;
    now += 10_000;
    expect(await cache.get()).toBe(1);
    expect(s.reads).toBe(1);
    now += 20_000; // exactly 30 s old: still kept
    expect(await cache.get()).toBe(1);
    now += 1;
    expect(await cache.get()).toBe(2);
    expect(s.reads).toBe(2);
  });

  it('shares one read between callers that arrive while it runs', async () => {
    const s = source();
    const cache = new ScrapeCache(s.read, 30_000, clock);
    expect(await Promise.all([cache.get(), cache.get(), cache.get()])).toEqual([1, 1, 1]);
    expect(s.reads).toBe(1);
  });

  it('keeps no failed read: the next scrape reads again', async () => {
    const s = source();
    const cache = new ScrapeCache(s.read, 30_000, clock);
    s.fail = true;
    await expect(cache.get()).rejects.toThrow('database gone');
    s.fail = false;
    expect(await cache.get()).toBe(1);
    expect(s.reads).toBe(2);
  });

  it('runs the stranded count at most every other scrape when Prometheus scrapes every 15 s (with jitter)', async () => {
    const s = source();
    const cache = new ScrapeCache(s.read, STRANDED_MAX_AGE_MS, clock);
    // 20 scrapes 15.00–15.05 s apart: a 15 s cache read at every one of them.
    for (let i = 0; i < 20; i++) {
      await cache.get();
      now += 15_000 + (i % 6) * 10;
    }
    expect(s.reads).toBeLessThanOrEqual(10);
  });

  it("takes another worker's younger value (cluster mode), and hands on its own while young enough", async () => {
    const s = source();
    const one = new ScrapeCache(s.read, 30_000, clock);
    const two = new ScrapeCache(async () => 99, 30_000, clock);
    expect(one.peek()).toBeUndefined();
    expect(await one.get()).toBe(1);
    now += 10_000;
    const kept = one.peek()!;
    expect(kept).toEqual({ value: 1, ageMs: 10_000 });
    two.offer(kept.value, kept.ageMs);
    expect(await two.get()).toBe(1); // not read: worker one read it 10 s ago
    now += 20_001; // 30.001 s after worker one read it: too old for both
    expect(one.peek()).toBeUndefined();
    expect(await two.get()).toBe(99);
    // An older value than the one kept, or one too old, changes nothing.
    two.offer(5, 1_000);
    expect(await two.get()).toBe(99);
    two.offer(7, 30_001);
    expect(await two.get()).toBe(99);
    expect(s.reads).toBe(1);
  });
});
