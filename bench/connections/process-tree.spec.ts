import { descendants, treeCpuMs, treeOf, treeRssKb } from './process-tree.js';

describe('process trees', () => {
  // 1 ─ 10 ─ 11 ─ 12
  //   │    └ 13
  //   └ 20 ─ 21 (the embedded PostgreSQL, say)
  const parents = new Map([
    [10, 1],
    [11, 10],
    [12, 11],
    [13, 10],
    [20, 10],
    [21, 20],
    [30, 1],
  ]);

  it('lists a process and everything below it, leaving out excluded subtrees', () => {
    expect(descendants(10, parents)).toEqual([10, 11, 12, 13, 20, 21]);
    expect(descendants(10, parents, [20])).toEqual([10, 11, 12, 13]);
    expect(descendants(12, parents)).toEqual([12]);
    expect(descendants(10, parents, [10])).toEqual([]);
  });

  it('reads this process from /proc', () => {
    const pids = treeOf(process.pid);
    expect(pids).toContain(process.pid);
    expect(treeRssKb(pids)).toBeGreaterThan(10_000);
    expect(treeCpuMs(pids)).toBeGreaterThan(0);
    // gone processes count nothing
    expect(treeRssKb([2 ** 22 + 1])).toBe(0);
    expect(treeCpuMs([2 ** 22 + 1])).toBe(0);
  });
});
