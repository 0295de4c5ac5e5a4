/** How targets are put into waves: by id (the first wave is the alphabetically first agents) or shuffled. */
export type WaveOrder = 'ordered' | 'random';

// The largest seed is part of the API's request schema (libs/api).
export { MAX_WAVE_SEED } from '../../../../libs/api/rollout-requests.js';

/**
 * mulberry32: a small, fast PRNG whose whole state is one 32-bit integer. Not for secrets; here it only
 * has to give the same shuffle for the same seed on every node and after a restart.
 */
function mulberry32(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4_294_967_296;
  };
}

/**
 * The targets in the order waves are cut from. `items` must come in a stable order (by id): 'ordered'
 * keeps it; 'random' is a Fisher-Yates shuffle driven by `seed`, so the same seed and the same targets
 * always give the same waves (a preview shows what the rollout will do; a rollout can be re-planned).
 */
export function waveOrdered<T>(items: readonly T[], order: WaveOrder, seed: number | undefined): T[] {
  const out = [...items];
  if (order === 'ordered') return out;
  if (seed === undefined) throw new Error('a random wave order needs a seed');
  const next = mulberry32(seed);
  for (let i = out.length - 1; i > 0; i--) {
    const j = Math.floor(next() * (i + 1));
    [out[i], out[j]] = [out[j]!, out[i]!];
  }
  return out;
}

/** Wave numbers (1-based) for items in wave order, given each wave's size. */
export function cutIntoWaves<T>(
  ordered: readonly T[],
  sizes: readonly number[],
): Array<{ item: T; wave: number }> {
  const out: Array<{ item: T; wave: number }> = [];
  let index = 0;
  sizes.forEach((size, w) => {
    for (const item of ordered.slice(index, index + size)) out.push({ item, wave: w + 1 });
    index += size;
  });
  return out;
}
