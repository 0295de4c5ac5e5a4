import { isIP } from 'node:net';
import { webcrypto, randomBytes, X509Certificate } from 'node:crypto';
import { type CertificateSummary } from '../api/certificates.js';
import { EC_P256, loadX509 } from './x509.loader.js';

export interface GeneratedServerIdentity {
  /** PEM of the certificate (self-signed: the chain is this one certificate). */
  certificatePem: string;
  /** PKCS#8 PEM of the ECDSA P-256 private key. */
  privateKeyPem: string;
}

export interface SelfSignedOptions {
  /** DNS names and IP addresses; the first one becomes the common name. */
  hosts: string[];
  validityDays: number;
  now?: Date;
}

/**
 * Generates an ECDSA P-256 self-signed server certificate (STACK: ECDSA handshakes cost less CPU)
 * with the hosts as subjectAltNames and serverAuth usage.
 */
export async function generateSelfSignedServerCertificate(
  options: SelfSignedOptions,
): Promise<GeneratedServerIdentity> {
  if (options.hosts.length === 0) throw new Error('a self-signed certificate needs at least one host name');
  const now = options.now ?? new Date();
  const x509 = await loadX509();
  const keys = await webcrypto.subtle.generateKey(EC_P256, true, ['sign', 'verify']);
  const notBefore = new Date(now.getTime() - 5 * 60_000); // tolerate small clock skew on agents
  const notAfter = new Date(now.getTime() + options.validityDays * 86_400_000);
  const serial = randomBytes(16);
  serial[0] &= 0x7f; // positive serial number
  const cert = await x509.X509CertificateGenerator.createSelfSigned({
    serialNumber: serial.toString('hex'),
    name: `CN=${escapeDn(options.hosts[0])}, O=Switchyard self-signed`,
    notBefore,
    notAfter,
    signingAlgorithm: EC_P256,
    keys,
    extensions: [
      new x509.BasicConstraintsExtension(false, undefined, true),
      new x509.KeyUsagesExtension(x509.KeyUsageFlags.digitalSignature, true),
      new x509.ExtendedKeyUsageExtension([x509.ExtendedKeyUsage.serverAuth], false),
      new x509.SubjectAlternativeNameExtension(
        options.hosts.map((h) =>
          isIP(h) ? { type: 'ip' as const, value: h } : { type: 'dns' as const, value: h },
        ),
      ),
      await x509.SubjectKeyIdentifierExtension.create(keys.publicKey),
    ],
  });
  const pkcs8 = Buffer.from(await webcrypto.subtle.exportKey('pkcs8', keys.privateKey));
  return {
    certificatePem: cert.toString('pem') + '\n',
    privateKeyPem: `-----BEGIN PRIVATE KEY-----\n${pkcs8
      .toString('base64')
      .replace(/(.{64})/g, '$1\n')
      .trim()}\n-----END PRIVATE KEY-----\n`,
  };
}

function escapeDn(value: string): string {
  return value.replace(/([,+"\\<>;=])/g, '\\$1');
}

/** Facts about a certificate that operators look at: the API's shape (libs/api). */
export type { CertificateSummary };

export function summarizeCertificate(pem: string, now = new Date()): CertificateSummary {
  const cert = new X509Certificate(pem);
  const key = cert.publicKey;
  const details = key.asymmetricKeyDetails;
  const keyType =
    key.asymmetricKeyType === 'ec'
      ? `EC ${details?.namedCurve === 'prime256v1' ? 'P-256' : details?.namedCurve}`
      : `${key.asymmetricKeyType?.toUpperCase()} ${details?.modulusLength ?? ''}`.trim();
  return {
    subject: cert.subject.replace(/\n/g, ', '),
    issuer: cert.issuer.replace(/\n/g, ', '),
    notBefore: new Date(cert.validFrom).toISOString(),
    notAfter: new Date(cert.validTo).toISOString(),
    subjectAltNames: (cert.subjectAltName ?? '').split(', ').filter(Boolean),
    fingerprintSha256: cert.fingerprint256,
    keyType,
    selfSigned: cert.subject === cert.issuer && cert.verify(key),
    daysLeft: Math.floor((new Date(cert.validTo).getTime() - now.getTime()) / 86_400_000),
  };
}
