import { X509Certificate } from 'node:crypto';
import { generateSelfSignedServerCertificate } from '../self-signed.js';
import { checkValidity, expiryWarningMs } from './server-certificate.checks.js';

const DAY_MS = 86_400_000;
const ISSUED = new Date('2026-12-01T00:00:00Z');

async function certificateFor(validityDays: number): Promise<X509Certificate> {
  const { certificatePem } = await generateSelfSignedServerCertificate({
    hosts: ['central.example'],
    validityDays,
    now: ISSUED,
  });
  return new X509Certificate(certificatePem);
}

const afterDays = (days: number) => new Date(ISSUED.getTime() + days * DAY_MS);

describe('expiry warnings relative to the certificate lifetime', () => {
  it('does not warn about a fresh 7-day or 14-day certificate (it did: "expires in 6 days" at import)', async () => {
    expect(checkValidity([await certificateFor(7)], afterDays(1))).toEqual([]);
    expect(checkValidity([await certificateFor(14)], afterDays(1))).toEqual([]);
  });

  it('warns in the last third of a short life', async () => {
    const week = await certificateFor(7);
    expect(checkValidity([week], afterDays(4.5))).toEqual([]);
    expect(checkValidity([week], afterDays(5))).toEqual([
      expect.stringMatching(/^the certificate '[^']*central\.example[^']*' expires in 2 days \(on /),
    ]);
    const fortnight = await certificateFor(14);
    expect(checkValidity([fortnight], afterDays(9))).toEqual([]);
    expect(checkValidity([fortnight], afterDays(10))).toEqual([expect.stringMatching(/expires in 4 days/)]);
  });

  it('keeps 30 days for long lives (90-day ACME, a year)', async () => {
    const acme = await certificateFor(90);
    expect(checkValidity([acme], afterDays(59))).toEqual([]);
    expect(checkValidity([acme], afterDays(61))).toEqual([expect.stringMatching(/expires in 29 days/)]);
    const year = await certificateFor(365);
    expect(checkValidity([year], afterDays(334))).toEqual([]);
    expect(checkValidity([year], afterDays(336))).toEqual([expect.stringMatching(/expires in 29 days/)]);
  });

  it('is min(30 days, a third of the lifetime)', () => {
    expect(expiryWarningMs(ISSUED, afterDays(9))).toBe(3 * DAY_MS);
    expect(expiryWarningMs(ISSUED, afterDays(90))).toBe(30 * DAY_MS);
    expect(expiryWarningMs(ISSUED, afterDays(398))).toBe(30 * DAY_MS);
  });
});
