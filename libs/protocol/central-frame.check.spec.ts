import { performance } from 'node:perf_hooks';
import { checkCentralFrame, MAX_PROFILE_ARCHIVE_BYTES, type CentralFrame } from './index.js';

const sync = {
  type: 'profile.sync',
  deliveryId: '1b9d6bcd-bbfd-4b2d-9b5d-ab8dfbbd4bed:1',
  profile: 'branches',
  revision: 3,
  sha256: '3f79bb7b435b05321651daefd374cdc681dc06faa65e374e38337b88ca046dea',
  sizeBytes: 20_480,
} as const satisfies CentralFrame;

describe('checkCentralFrame', () => {
  it('passes a valid frame and gives its encoding', () => {
    expect(checkCentralFrame(sync)).toEqual({ ok: true, text: JSON.stringify(sync) });
  });

  it('refuses a frame the agent would refuse, naming the field', () => {
    const result = checkCentralFrame({ ...sync, sizeBytes: MAX_PROFILE_ARCHIVE_BYTES + 1 });
    expect(result).toEqual({
      ok: false,
      reason: expect.stringMatching(/^profile\.sync would be refused by the agent: sizeBytes: /),
    });
  });

  it('refuses a frame over the 64 KiB frame limit (command args have no limit of their own)', () => {
    const command = (value: string): CentralFrame => ({
      type: 'command',
      id: 'c1',
      name: 'status.report',
      args: { note: value },
    });
    expect(checkCentralFrame(command('x'.repeat(60_000))).ok).toBe(true);
    // 30,000 characters of 3 bytes each: short in characters, 90,000 bytes on the wire
    expect(checkCentralFrame(command('€'.repeat(30_000)))).toEqual({
      ok: false,
      reason: "command would be 90070 bytes, over the agents' 65536-byte frame limit",
    });
  });

  it('costs microseconds per profile.sync (printed)', () => {
    const runs = 20_000;
    for (let i = 0; i < 2_000; i++) checkCentralFrame(sync);
    const started = performance.now();
    for (let i = 0; i < runs; i++) checkCentralFrame(sync);
    const perFrameUs = ((performance.now() - started) * 1000) / runs;
    const bare = performance.now();
    for (let i = 0; i < runs; i++) JSON.stringify(sync);
    const stringifyUs = ((performance.now() - bare) * 1000) / runs;
    console.log(
      `checkCentralFrame(profile.sync): ${perFrameUs.toFixed(2)} µs per frame (JSON.stringify alone ${stringifyUs.toFixed(2)} µs)`,
    );
    // Loose: jest runs without the optimizing JIT warm-up of a server (plain node: ~4-7 µs here).
    expect(perFrameUs).toBeLessThan(1000);
  });
});
