import { renewalDueAt } from './renewal-policy.js';

const DAY = 86_400_000;
const issued = new Date('2026-01-01T00:00:00Z');
const cert = (days: number) => ({ notBefore: issued, notAfter: new Date(issued.getTime() + days * DAY) });

describe('renewalDueAt', () => {
  it('is renewDaysBefore days before expiry', () => {
    expect(renewalDueAt(cert(90), 30)).toEqual(new Date(issued.getTime() + 60 * DAY));
  });

  it('uses a third of the lifetime when the CA issues certificates no longer than renewDaysBefore', () => {
    // 6-day certificates with the default 30: renewing at every hourly check would be wrong.
    expect(renewalDueAt(cert(6), 30)).toEqual(new Date(issued.getTime() + 4 * DAY));
    expect(renewalDueAt(cert(30), 30)).toEqual(new Date(issued.getTime() + 20 * DAY));
  });
});
