import { ConnectionBudget, agentConnectionBudget, openFilesLimit } from './descriptor-budget.js';

const LIMITS = `Limit                     Soft Limit           Hard Limit           Units
Max processes             63432                63432                processes
Max open files            20000                20000                files
Max locked memory         8388608              8388608              bytes
`;

describe('descriptor budget', () => {
  it('reads the soft open-files limit, and gives up on "unlimited" or nothing', () => {
    expect(openFilesLimit(LIMITS)).toBe(20_000);
    expect(
      openFilesLimit(LIMITS.replace('20000                20000', 'unlimited  unlimited')),
    ).toBeUndefined();
    expect(openFilesLimit('')).toBeUndefined();
  });

  it('keeps a reserve of 5 % (at least 512) for everything but agents; an explicit number wins', () => {
    expect(agentConnectionBudget(undefined, 20_000)).toBe(19_000);
    expect(agentConnectionBudget(undefined, 1024)).toBe(512);
    expect(agentConnectionBudget(300, 20_000)).toBe(300);
  });

  it('counts sockets until they close, says when the budget is exceeded, and closes past the slack', () => {
    const budget = new ConnectionBudget(2, 1);
    const closers: Array<() => void> = [];
    const socket = { once: (_e: 'close', fn: () => void) => closers.push(fn) };
    expect([budget.admit(socket), budget.admit(socket)]).toEqual([true, true]);
    expect(budget.exceeded).toBe(false);
    expect(budget.admit(socket)).toBe(true);
    expect(budget.exceeded).toBe(true);
    expect(budget.admit(socket)).toBe(false); // budget + slack reached: closed before TLS
    closers.pop()!();
    closers.pop()!();
    expect(budget.exceeded).toBe(false);
    expect(budget.openSockets).toBe(1);
  });
});
