import { expiryThresholds, expiryWarning } from './certificate-report.js';

describe('the expiry warning follows the certificate lifetime', () => {
  it('does not call a 90-day certificate expiring at 89 days, only in its last 30', () => {
    expect(expiryWarning(89, 90)).toBeNull();
    expect(expiryWarning(30, 90)).toBeNull();
    expect(expiryWarning(29, 90)).toBe('expires within 30 days');
    expect(expiryWarning(6, 90)).toBe('expires within 7 days');
  });

  it('warns a long-lived certificate 30 days ahead and a short one in its last third', () => {
    expect(expiryThresholds(825)).toEqual([30, 7]);
    expect(expiryThresholds(90)).toEqual([30, 7]);
    expect(expiryThresholds(30)).toEqual([10, 7]);
    expect(expiryThresholds(20)).toEqual([6]);
    expect(expiryThresholds(1)).toEqual([1]);
    expect(expiryWarning(8, 20)).toBeNull();
    expect(expiryWarning(5, 20)).toBe('expires within 6 days');
  });

  it('says expired once past its end, whatever the lifetime', () => {
    expect(expiryWarning(-1, 90)).toBe('expired');
    expect(expiryWarning(-1, 825)).toBe('expired');
  });
});
