import { cutIntoWaves, waveOrdered } from './wave-order.js';

const ids = Array.from({ length: 200 }, (_, i) => `agent-${String(i).padStart(3, '0')}`);

describe('waveOrdered', () => {
  it('keeps the given order when ordered', () => {
    expect(waveOrdered(ids, 'ordered', undefined)).toEqual(ids);
  });

  it('shuffles the same way for the same seed, another way for another seed', () => {
    const a = waveOrdered(ids, 'random', 42);
    expect(waveOrdered(ids, 'random', 42)).toEqual(a);
    expect(a).not.toEqual(ids);
    expect([...a].sort()).toEqual(ids);
    expect(waveOrdered(ids, 'random', 43)).not.toEqual(a);
  });

  it('does not keep the alphabetically first agents together in the first wave', () => {
    const first = waveOrdered(ids, 'random', 7).slice(0, 20);
    // 20 of 200 drawn at random: almost never all from the first 40 ids.
    expect(first.filter((id) => id < 'agent-040').length).toBeLessThan(20);
  });

  it('refuses a random order without a seed (it could not be reproduced)', () => {
    expect(() => waveOrdered(ids, 'random', undefined)).toThrow('needs a seed');
  });
});

describe('cutIntoWaves', () => {
  it('numbers the items wave by wave in order', () => {
    expect(cutIntoWaves(['a', 'b', 'c', 'd'], [1, 3])).toEqual([
      { item: 'a', wave: 1 },
      { item: 'b', wave: 2 },
      { item: 'c', wave: 2 },
      { item: 'd', wave: 2 },
    ]);
  });
});
