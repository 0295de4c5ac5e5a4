import { certificateFigure, statusBars, transportBars } from './overview-figures.js';

describe('overview figures', () => {
  it('lists every status in a fixed order, zeros included', () => {
    expect(statusBars({ online: 3, offline: 1 }).map((b) => [b.key, b.value])).toEqual([
      ['online', 3],
      ['disconnected', 0],
      ['offline', 1],
      ['never_connected', 0],
    ]);
  });

  it('names transports in words, largest first, connector agents apart', () => {
    expect(
      transportBars({ plain: 2, secure: 5, 'secure (via connector)': 1 }).map((b) => [
        b.label,
        b.value,
        b.tone,
      ]),
    ).toEqual([
      ['Secure (wss)', 5, 'ok'],
      ['Plain (ws)', 2, 'warn'],
      ['Secure (wss) via a connector', 1, 'ok'],
    ]);
  });

  it('judges a certificate by its own lifetime: a 90-day one is fine at 89 days', () => {
    const c = { subject: 'CN=x', notAfter: '', lifetimeDays: 90, warnFromDays: 30 };
    expect(certificateFigure({ ...c, daysLeft: 89, expiryWarning: null })).toMatchObject({
      tone: 'ok',
      headline: '89 days left',
    });
    expect(certificateFigure({ ...c, daysLeft: 20, expiryWarning: 'expires within 30 days' }).tone).toBe(
      'warn',
    );
    expect(certificateFigure({ ...c, daysLeft: 3, expiryWarning: 'expires within 7 days' }).tone).toBe('bad');
    expect(certificateFigure({ ...c, daysLeft: -1, expiryWarning: 'expired' }).headline).toBe('Expired');
  });
});
