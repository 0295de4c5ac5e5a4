import { MAX_PROFILE_ARCHIVE_BYTES, parseCentralFrame, profileRefusalOf } from './index.js';

const sha256 = '3f79bb7b435b05321651daefd374cdc681dc06faa65e374e38337b88ca046dea';

describe('profileRefusalOf', () => {
  it('answers an oversized profile.sync with a failed status naming the reason', () => {
    const text = JSON.stringify({
      type: 'profile.sync',
      deliveryId: 'r1:1',
      profile: 'default',
      revision: 1,
      sha256,
      sizeBytes: MAX_PROFILE_ARCHIVE_BYTES + 1,
    });
    const parsed = parseCentralFrame(text);
    expect(parsed.ok).toBe(false);
    if (parsed.ok) return;
    expect(profileRefusalOf(text, parsed.reason)).toEqual({
      type: 'profile.status',
      deliveryId: 'r1:1',
      sha256,
      state: 'failed',
      reason: `the agent refused profile.sync: ${parsed.reason}`,
    });
  });

  it('cannot answer a frame without a usable deliveryId or sha256, nor other frame types', () => {
    expect(profileRefusalOf('{"type":"profile.sync","sha256":"' + sha256 + '"}', 'x')).toBeUndefined();
    expect(
      profileRefusalOf('{"type":"profile.activate","deliveryId":"d","sha256":"nope"}', 'x'),
    ).toBeUndefined();
    expect(profileRefusalOf(`{"type":"welcome","deliveryId":"d","sha256":"${sha256}"}`, 'x')).toBeUndefined();
    expect(profileRefusalOf('not json', 'x')).toBeUndefined();
  });

  it('keeps the reason within the 1024 characters profile.status allows', () => {
    const text = JSON.stringify({ type: 'profile.activate', deliveryId: 'd', sha256 });
    expect(profileRefusalOf(text, 'y'.repeat(5000))!.reason).toHaveLength(1024);
  });
});
