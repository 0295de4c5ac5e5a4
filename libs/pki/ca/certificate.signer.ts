import { X509Certificate, createPublicKey } from 'node:crypto';
import { isIP } from 'node:net';
import { agentUri } from './agent-identity.js';
import { CsrError, CsrErrorCode } from './ca.errors.js';
import { generateP256KeyPair, privateKeyFromPem, privateKeyToPem, randomSerial } from './key-pem.js';
import { type LocalCaIdentity } from './local-ca.generator.js';
import type * as X509 from '@peculiar/x509';
import { loadX509 } from '../x509.loader.js';

/** A certificate the local CA signed. */
export interface IssuedCertificate {
  certificatePem: string;
  /** Lower-case hex, as recorded for revocation. */
  serialNumber: string;
  notBefore: Date;
  notAfter: Date;
  fingerprintSha256: string;
}

export interface Validity {
  validityDays: number;
  now?: Date;
  /** Explicit dates win over validityDays (tests sign already expired certificates with them). */
  notBefore?: Date;
  notAfter?: Date;
}

const MAX_CSR_PEM_CHARS = 8192;
const SIGNING = { name: 'ECDSA', hash: 'SHA-256' } as const;
/** Tolerates agents whose clock is a little behind central's. */
const BACKDATE_MS = 5 * 60_000;

/**
 * Signs an agent's CSR as a client certificate: clientAuth only, digitalSignature, CN = agent id and
 * SAN URI `urn:switchyard:agent:<id>`. The CSR must be signed by its own key (proof the agent holds it)
 * and name exactly the enrolling agent; only the public key is taken from it, never its extensions.
 */
export async function signClientCertificate(
  options: { ca: LocalCaIdentity; csrPem: string; agentId: string } & Validity,
): Promise<IssuedCertificate> {
  const x509 = await loadX509();
  const csr = await checkedCsr(options.csrPem, options.agentId);
  return sign(options.ca, csr.publicKey, options, options.agentId, [
    new x509.KeyUsagesExtension(x509.KeyUsageFlags.digitalSignature, true),
    new x509.ExtendedKeyUsageExtension([x509.ExtendedKeyUsage.clientAuth], false),
    new x509.SubjectAlternativeNameExtension([{ type: 'url', value: agentUri(options.agentId) }]),
  ]);
}

/** Issues a server certificate (new P-256 key) for `hosts` from the local CA; `chainPem` is leaf then CA. */
export async function signServerCertificate(
  options: { ca: LocalCaIdentity; hosts: string[] } & Validity,
): Promise<IssuedCertificate & { chainPem: string; privateKeyPem: string }> {
  if (options.hosts.length === 0) throw new Error('a server certificate needs at least one host name');
  const x509 = await loadX509();
  const keys = await generateP256KeyPair();
  const publicKey = await x509.PublicKey.create(keys.publicKey);
  const issued = await sign(options.ca, publicKey, options, options.hosts[0], [
    new x509.KeyUsagesExtension(x509.KeyUsageFlags.digitalSignature, true),
    new x509.ExtendedKeyUsageExtension([x509.ExtendedKeyUsage.serverAuth], false),
    new x509.SubjectAlternativeNameExtension(
      options.hosts.map((h) =>
        isIP(h) ? { type: 'ip' as const, value: h } : { type: 'dns' as const, value: h },
      ),
    ),
  ]);
  return {
    ...issued,
    chainPem: issued.certificatePem + options.ca.certificatePem,
    privateKeyPem: await privateKeyToPem(keys.privateKey),
  };
}

async function checkedCsr(pem: string, agentId: string): Promise<X509.Pkcs10CertificateRequest> {
  if (pem.length > MAX_CSR_PEM_CHARS) throw new CsrError(CsrErrorCode.MALFORMED, 'the CSR is too large');
  const x509 = await loadX509();
  let csr: X509.Pkcs10CertificateRequest;
  try {
    csr = new x509.Pkcs10CertificateRequest(pem);
  } catch (error) {
    throw new CsrError(CsrErrorCode.MALFORMED, `the CSR cannot be read: ${(error as Error).message}`);
  }
  const key = createPublicKey({ key: Buffer.from(csr.publicKey.rawData), format: 'der', type: 'spki' });
  const details = key.asymmetricKeyDetails;
  const acceptable =
    (key.asymmetricKeyType === 'ec' && ['prime256v1', 'secp384r1'].includes(details?.namedCurve ?? '')) ||
    (key.asymmetricKeyType === 'rsa' && (details?.modulusLength ?? 0) >= 2048);
  if (!acceptable) {
    throw new CsrError(
      CsrErrorCode.UNSUPPORTED_KEY,
      'the CSR key must be ECDSA P-256/P-384 or RSA of 2048 bits or more',
    );
  }
  let signed = false;
  try {
    signed = await csr.verify();
  } catch {
    signed = false;
  }
  if (!signed) throw new CsrError(CsrErrorCode.BAD_SIGNATURE, 'the CSR is not signed by its own key');
  const names = csr.subjectName.getField('CN');
  if (names.length !== 1 || names[0] !== agentId) {
    throw new CsrError(
      CsrErrorCode.WRONG_SUBJECT,
      `the CSR must name CN=${agentId}, the enrolling agent (it names ${csr.subject || 'nothing'})`,
    );
  }
  return csr;
}

async function sign(
  ca: LocalCaIdentity,
  publicKey: X509.PublicKey,
  validity: Validity,
  commonName: string,
  extensions: X509.Extension[],
): Promise<IssuedCertificate> {
  const x509 = await loadX509();
  const caCert = new x509.X509Certificate(ca.certificatePem);
  const now = validity.now ?? new Date();
  const notBefore = validity.notBefore ?? new Date(now.getTime() - BACKDATE_MS);
  const notAfter = validity.notAfter ?? new Date(now.getTime() + validity.validityDays * 86_400_000);
  const serialNumber = randomSerial();
  const certificate = await x509.X509CertificateGenerator.create({
    serialNumber,
    subject: [{ CN: [commonName] }],
    issuer: caCert.subjectName,
    notBefore,
    notAfter,
    signingAlgorithm: SIGNING,
    publicKey,
    signingKey: await privateKeyFromPem(ca.privateKeyPem),
    extensions: [
      new x509.BasicConstraintsExtension(false, undefined, true),
      ...extensions,
      await x509.SubjectKeyIdentifierExtension.create(publicKey),
      await x509.AuthorityKeyIdentifierExtension.create(caCert.publicKey),
    ],
  });
  const certificatePem = certificate.toString('pem') + '\n';
  return {
    certificatePem,
    serialNumber,
    notBefore: certificate.notBefore,
    notAfter: certificate.notAfter,
    fingerprintSha256: new X509Certificate(certificatePem).fingerprint256,
  };
}
