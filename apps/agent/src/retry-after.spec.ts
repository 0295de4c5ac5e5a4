import { delayAfterRefusal, parseRetryAfter } from './retry-after.js';

describe('parseRetryAfter', () => {
  it('reads delay-seconds and HTTP dates, and ignores what it cannot read', () => {
    expect(parseRetryAfter('3')).toBe(3000);
    expect(parseRetryAfter(' 0 ')).toBe(0);
    const now = Date.parse('2026-12-01T10:00:00Z');
    expect(parseRetryAfter('Tue, 01 Dec 2026 10:00:07 GMT', now)).toBe(7000);
    expect(parseRetryAfter('Tue, 01 Dec 2026 09:00:00 GMT', now)).toBe(0);
    expect(parseRetryAfter(undefined)).toBeUndefined();
    expect(parseRetryAfter('soon')).toBeUndefined();
    expect(parseRetryAfter('-5')).toBeUndefined();
  });

  it('caps a huge wait at five minutes', () => {
    expect(parseRetryAfter('999999')).toBe(300_000);
  });
});

describe('delayAfterRefusal', () => {
  it('waits at least what central asked, plus jitter of up to half of it', () => {
    expect(delayAfterRefusal(2000, () => 0)).toBe(2000);
    expect(delayAfterRefusal(2000, () => 0.999)).toBeLessThanOrEqual(3250);
    expect(delayAfterRefusal(2000, () => 0.999)).toBeGreaterThan(3000);
  });
});
