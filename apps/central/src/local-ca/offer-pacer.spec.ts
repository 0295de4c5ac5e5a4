import { OfferPacer } from './offer-pacer.js';

describe('OfferPacer', () => {
  it('never has more than inFlight open, starts at most one batch per event-loop turn, and gets through 10,000', async () => {
    const started: number[][] = [];
    let maxOpen = 0;
    let turns = 0;
    const tick = setInterval(() => turns++, 0);
    const pacer: OfferPacer<number> = new OfferPacer(
      { inFlight: 100, batch: 25 },
      String,
      async (batch) => {
        started.push(batch);
        for (const n of batch) {
          pacer.opened();
          maxOpen = Math.max(maxOpen, pacer.inFlight);
          // the exchange ends a little later (the agent answers, central signs)
          setTimeout(() => pacer.closed(), n % 7);
        }
        return Promise.resolve();
      },
      (error) => {
        throw error;
      },
    );
    pacer.add(Array.from({ length: 10_000 }, (_, i) => i));
    pacer.add([9_999, 9_998]); // still queued: not queued twice
    const deadline = Date.now() + 20_000;
    while ((pacer.queued > 0 || pacer.inFlight > 0) && Date.now() < deadline)
      await new Promise((r) => setTimeout(r, 5));
    clearInterval(tick);
    const all = started.flat();
    expect(all.length).toBe(10_000);
    expect(new Set(all).size).toBe(10_000);
    expect(Math.max(...started.map((b) => b.length))).toBeLessThanOrEqual(25);
    expect(maxOpen).toBeLessThanOrEqual(100);
    expect(turns).toBeGreaterThan(10); // timers ran in between: the loop was never held for the whole fleet
  });

  it('reports a failing batch and goes on with the next', async () => {
    const errors: string[] = [];
    const seen: number[] = [];
    const pacer = new OfferPacer<number>(
      { inFlight: 10, batch: 1 },
      String,
      (batch) => {
        seen.push(...batch);
        return batch[0] === 1 ? Promise.reject(new Error('database down')) : Promise.resolve();
      },
      (error) => errors.push(error.message),
    );
    pacer.add([1, 2]);
    await pacer.idle();
    expect(seen).toEqual([1, 2]);
    expect(errors).toEqual(['database down']);
  });
});
