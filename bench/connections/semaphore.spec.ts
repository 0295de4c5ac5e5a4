import { Semaphore } from './semaphore.js';

describe('Semaphore', () => {
  it('lets at most `size` through and the rest in arrival order', async () => {
    const slots = new Semaphore(2);
    const order: number[] = [];
    let active = 0;
    let most = 0;
    await Promise.all(
      [0, 1, 2, 3, 4].map(async (i) => {
        const release = await slots.acquire();
        order.push(i);
        most = Math.max(most, ++active);
        await new Promise((r) => setTimeout(r, 5));
        active--;
        release();
        release(); // a second call is harmless
      }),
    );
    expect(most).toBe(2);
    expect(order).toEqual([0, 1, 2, 3, 4]);
    expect(slots.queued).toBe(0);
  });

  it('refuses a size below 1', () => {
    expect(() => new Semaphore(0)).toThrow(/≥ 1/);
  });
});
