/**
 * Self-signed certificates made large on purpose (many DNS names), uploaded into a profile's truststore
 * so that a revision's archive reaches the size the bench wants. Generated per run; keys are thrown away.
 */
import 'reflect-metadata'; // @peculiar/x509 resolves its services through tsyringe
import { webcrypto } from 'node:crypto';
import * as x509 from '@peculiar/x509';

x509.cryptoProvider.set(webcrypto as unknown as Parameters<typeof x509.cryptoProvider.set>[0]);

const EC_P256 = { name: 'ECDSA', namedCurve: 'P-256', hash: 'SHA-256' } as const;

/** A profile upload takes at most 16,384 PEM characters: ~11,500 DER bytes, with room to spare. */
export const MAX_PADDING_DER_BYTES = 11_000;

/** What a certificate costs without names, and what each DNS name adds (2 bytes of tag and length). */
const BASE_DER_BYTES = 400;
const dnsName = (cert: number, i: number) =>
  `host-${String(i).padStart(5, '0')}.c${cert}.bench-rollout.invalid`;

/** `count` PEM certificates of about `derBytes` bytes each (DER). */
export async function paddingCertificates(count: number, derBytes: number): Promise<string[]> {
  const size = Math.min(Math.max(derBytes, BASE_DER_BYTES), MAX_PADDING_DER_BYTES);
  const keys = await webcrypto.subtle.generateKey(EC_P256, true, ['sign', 'verify']);
  const now = Date.now();
  const pems: string[] = [];
  for (let c = 0; c < count; c++) {
    const perName = dnsName(c, 0).length + 2;
    const names = Array.from({ length: Math.max(1, Math.floor((size - BASE_DER_BYTES) / perName)) }, (_, i) =>
      dnsName(c, i),
    );
    const certificate = await x509.X509CertificateGenerator.createSelfSigned({
      serialNumber: (0x100 + c).toString(16),
      name: `CN=Switchyard rollout bench padding ${c}`,
      notBefore: new Date(now - 60_000),
      notAfter: new Date(now + 7 * 86_400_000),
      signingAlgorithm: EC_P256,
      keys,
      extensions: [
        new x509.BasicConstraintsExtension(true, 0, true),
        new x509.SubjectAlternativeNameExtension(names.map((value) => ({ type: 'dns' as const, value }))),
      ],
    });
    pems.push(certificate.toString('pem'));
  }
  return pems;
}
