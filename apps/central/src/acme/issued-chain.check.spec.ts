import { generateKeyPairSync } from 'node:crypto';
import { generateSelfSignedServerCertificate } from '../../../../libs/pki/index.js';
import { checkIssuedChain, IssuedChainError } from './issued-chain.check.js';

describe('checkIssuedChain', () => {
  const now = new Date();

  it('accepts a certificate for our key that covers the FQDN', async () => {
    const issued = await generateSelfSignedServerCertificate({
      hosts: ['central.example'],
      validityDays: 10,
    });
    const chain = checkIssuedChain(issued.certificatePem, issued.privateKeyPem, 'central.example', now);
    expect(chain).toContain('BEGIN CERTIFICATE');
  });

  it('refuses another key, another name, and a certificate not valid now', async () => {
    const issued = await generateSelfSignedServerCertificate({
      hosts: ['central.example'],
      validityDays: 10,
    });
    const otherKey = generateKeyPairSync('ec', { namedCurve: 'prime256v1' })
      .privateKey.export({ type: 'pkcs8', format: 'pem' })
      .toString();
    expect(() => checkIssuedChain(issued.certificatePem, otherKey, 'central.example', now)).toThrow(
      /not for the key central generated/,
    );
    expect(() => checkIssuedChain(issued.certificatePem, issued.privateKeyPem, 'other.example', now)).toThrow(
      /does not cover other\.example/,
    );
    const later = new Date(now.getTime() + 11 * 86_400_000);
    expect(() =>
      checkIssuedChain(issued.certificatePem, issued.privateKeyPem, 'central.example', later),
    ).toThrow(IssuedChainError);
    expect(() => checkIssuedChain('', issued.privateKeyPem, 'central.example', now)).toThrow(
      /no certificate/,
    );
  });

  it('refuses a chain whose next certificate is not the issuer', async () => {
    const a = await generateSelfSignedServerCertificate({ hosts: ['central.example'], validityDays: 10 });
    const b = await generateSelfSignedServerCertificate({ hosts: ['other.example'], validityDays: 10 });
    expect(() =>
      checkIssuedChain(a.certificatePem + b.certificatePem, a.privateKeyPem, 'central.example', now),
    ).toThrow(/out of order/);
  });
});
