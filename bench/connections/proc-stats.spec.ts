import { machineCpu, stealPercent } from './proc-stats.js';

describe('machine CPU figures', () => {
  it('reads /proc/stat and counts the share the hypervisor took', () => {
    const before = machineCpu();
    let spin = 0;
    for (const end = Date.now() + 50; Date.now() < end;) spin++;
    const after = machineCpu();
    expect(spin).toBeGreaterThan(0);
    expect(after.busyMs).toBeGreaterThan(before.busyMs);
    expect(after.stealMs).toBeGreaterThanOrEqual(before.stealMs);
    expect(stealPercent(before, after)).toBeGreaterThanOrEqual(0);
    expect(stealPercent(before, after)).toBeLessThanOrEqual(100);
    const zero = { busyMs: 0, idleMs: 0, stealMs: 0 };
    expect(stealPercent(zero, { busyMs: 160, idleMs: 20, stealMs: 20 })).toBe(10);
    expect(stealPercent(zero, zero)).toBe(0);
  });
});
