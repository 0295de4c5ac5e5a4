import { MAX_PROFILE_ARCHIVE_BYTES } from '../../../../libs/protocol/index.js';
import { DeliveryFrames } from './delivery-frames.js';
import { deliveryEntry } from './testing/delivery-entry.js';

describe('DeliveryFrames', () => {
  it('checks the frame of one delivery once, however many agents get it', () => {
    const frames = new DeliveryFrames();
    const first = frames.frame(deliveryEntry({ agentId: 'a1' }), 'sync');
    for (let i = 2; i <= 1000; i++) {
      expect(frames.frame(deliveryEntry({ agentId: `a${i}` }), 'sync')).toBe(first);
    }
    expect(frames.size()).toBe(1);
    expect(first).toEqual({
      ok: true,
      text: JSON.stringify({
        type: 'profile.sync',
        deliveryId: 'r1:0',
        profile: 'p',
        revision: 1,
        sha256: 'a'.repeat(64),
        sizeBytes: 10,
      }),
    });
  });

  it('tells deliveries apart by rollout, attempt and step', () => {
    const frames = new DeliveryFrames();
    const sync = frames.frame(deliveryEntry(), 'sync');
    const activate = frames.frame(deliveryEntry(), 'activate');
    const retried = frames.frame(deliveryEntry({ attempts: 1 }), 'sync');
    const other = frames.frame(
      deliveryEntry({ rolloutId: 'r2', revision: 2, sha256: 'b'.repeat(64) }),
      'sync',
    );
    expect(frames.size()).toBe(4);
    const parsed = [sync, activate, retried, other].map((c) => (c.ok ? JSON.parse(c.text) : c));
    expect(parsed.map((f) => [f.type, f.deliveryId, f.revision])).toEqual([
      ['profile.sync', 'r1:0', 1],
      ['profile.activate', 'r1:0', 1],
      ['profile.sync', 'r1:1', 1],
      ['profile.sync', 'r2:0', 2],
    ]);
    expect('sizeBytes' in parsed[1]).toBe(false);
  });

  it('answers the reason when an agent would refuse the frame', () => {
    const check = new DeliveryFrames().frame(
      deliveryEntry({ sizeBytes: MAX_PROFILE_ARCHIVE_BYTES + 1 }),
      'sync',
    );
    expect(check.ok).toBe(false);
    expect(!check.ok && check.reason).toMatch(/^profile\.sync would be refused by the agent: sizeBytes: /);
  });
});
