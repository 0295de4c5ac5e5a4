import { createPrivateKey, X509Certificate } from 'node:crypto';
import { generateSelfSignedServerCertificate, summarizeCertificate } from './index.js';

describe('self-signed server certificate', () => {
  it('is ECDSA P-256, covers the hosts and matches its key', async () => {
    const now = new Date('2026-11-23T10:00:00Z');
    const id = await generateSelfSignedServerCertificate({
      hosts: ['localhost', 'central-1', '127.0.0.1'],
      validityDays: 825,
      now,
    });
    const cert = new X509Certificate(id.certificatePem);
    expect(cert.checkPrivateKey(createPrivateKey(id.privateKeyPem))).toBe(true);
    expect(cert.checkHost('localhost')).toBe('localhost');
    expect(cert.checkHost('central-1')).toBe('central-1');
    expect(cert.checkIP('127.0.0.1')).toBe('127.0.0.1');
    expect(cert.checkHost('example.com')).toBeUndefined();
    const s = summarizeCertificate(id.certificatePem, now);
    expect(s.keyType).toBe('EC P-256');
    expect(s.selfSigned).toBe(true);
    expect(s.daysLeft).toBe(825);
    expect(s.subjectAltNames).toEqual(['DNS:localhost', 'DNS:central-1', 'IP Address:127.0.0.1']);
  });
});
