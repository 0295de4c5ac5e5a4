import { TokenUseCoalescer } from './token-use-coalescer.js';

/** A token store in memory: `left` uses per token, taken by one slow "statement" at a time. */
function store(left: Record<string, number>) {
  const statements: Array<{ token: string; wanted: number }> = [];
  let running = 0;
  let most = 0;
  const take = async (token: string, wanted: number) => {
    statements.push({ token, wanted });
    most = Math.max(most, ++running);
    await new Promise((r) => setTimeout(r, 10));
    running--;
    const granted = Math.min(wanted, left[token] ?? 0);
    left[token] = (left[token] ?? 0) - granted;
    return granted;
  };
  return { take, statements, most: () => most };
}

describe('TokenUseCoalescer', () => {
  it('writes a lone use at once, and gathers the uses that arrive meanwhile into one statement', async () => {
    const s = store({ fleet: 1000 });
    const uses = new TokenUseCoalescer(s.take);
    const answers = await Promise.all(Array.from({ length: 50 }, () => uses.use('fleet')));
    expect(answers.every(Boolean)).toBe(true);
    expect(s.statements).toEqual([
      { token: 'fleet', wanted: 1 },
      { token: 'fleet', wanted: 49 },
    ]);
    expect(s.most()).toBe(1);
  });

  it('grants only what the token has left, first come first served', async () => {
    const s = store({ limited: 5 });
    const uses = new TokenUseCoalescer(s.take);
    const answers = await Promise.all(Array.from({ length: 12 }, () => uses.use('limited')));
    expect(answers).toEqual([...Array(5).fill(true), ...Array(7).fill(false)]);
  });

  it('keeps tokens apart and recovers after a failed statement', async () => {
    const s = store({ a: 10, b: 10 });
    let fail = true;
    const uses = new TokenUseCoalescer(async (token, wanted) => {
      if (token === 'b' && fail) {
        fail = false;
        throw new Error('database gone');
      }
      return s.take(token, wanted);
    });
    const first = await Promise.allSettled([uses.use('a'), uses.use('b')]);
    expect(first.map((r) => r.status)).toEqual(['fulfilled', 'rejected']);
    expect(await uses.use('b')).toBe(true);
    expect(s.statements.map((x) => x.token).sort()).toEqual(['a', 'b']);
  });
});
