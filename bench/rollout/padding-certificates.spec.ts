import { X509Certificate } from 'node:crypto';
import { MAX_PADDING_DER_BYTES, paddingCertificates } from './padding-certificates.js';

describe('paddingCertificates', () => {
  it('makes readable, valid certificates of about the size asked, within the upload limit', async () => {
    const pems = await paddingCertificates(2, 8000);
    expect(pems).toHaveLength(2);
    for (const pem of pems) {
      const cert = new X509Certificate(pem);
      expect(cert.raw.length).toBeGreaterThan(7200);
      expect(cert.raw.length).toBeLessThanOrEqual(8000);
      expect(new Date(cert.validTo).getTime()).toBeGreaterThan(Date.now());
    }
    expect(pems[0]).not.toBe(pems[1]);
    const [largest] = await paddingCertificates(1, 1_000_000);
    expect(new X509Certificate(largest).raw.length).toBeLessThanOrEqual(MAX_PADDING_DER_BYTES);
    expect(largest.length).toBeLessThanOrEqual(16 * 1024);
  });
});
