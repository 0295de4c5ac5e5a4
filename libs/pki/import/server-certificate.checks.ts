import type { KeyObject, X509Certificate } from 'node:crypto';
import { isIP } from 'node:net';
import { loadedX509 } from '../x509.loader.js';
import { CertificateImportError, CertificateImportErrorCode } from './certificate-import.errors.js';
import { dateOf, subjectOf } from './certificate.names.js';

const DAY_MS = 86_400_000;
/** Certificates of the chain that expire sooner than this get a warning (shorter lives: see below). */
const EXPIRY_WARNING_DAYS = 30;
const MIN_RSA_BITS = 2048;

const SERVER_AUTH = '1.3.6.1.5.5.7.3.1';
const ANY_EXTENDED_KEY_USAGE = '2.5.29.37.0';
const EXTENDED_KEY_USAGE_NAMES: Readonly<Record<string, string>> = {
  [SERVER_AUTH]: 'serverAuth',
  '1.3.6.1.5.5.7.3.2': 'clientAuth',
  '1.3.6.1.5.5.7.3.3': 'codeSigning',
  '1.3.6.1.5.5.7.3.4': 'emailProtection',
  '1.3.6.1.5.5.7.3.8': 'timeStamping',
  '1.3.6.1.5.5.7.3.9': 'OCSPSigning',
};

/**
 * How close to its end a certificate is worth a warning: 30 days, or the last third of its life when
 * that is shorter. A fixed 30 days warned at once about every certificate that lives less than a month
 * (a 7-day ACME staging or a 14-day local one) although nothing was wrong with it; the last third is
 * also when ACME clients renew.
 */
export function expiryWarningMs(validFrom: Date, validTo: Date): number {
  return Math.min(EXPIRY_WARNING_DAYS * DAY_MS, (validTo.getTime() - validFrom.getTime()) / 3);
}

/** Every certificate of the chain is valid at `now`; those near their end give warnings. */
export function checkValidity(chain: readonly X509Certificate[], now: Date): string[] {
  const warnings: string[] = [];
  for (const certificate of chain) {
    const from = new Date(certificate.validFrom);
    const to = new Date(certificate.validTo);
    const period = `valid from ${dateOf(from)} to ${dateOf(to)}`;
    if (now < from) {
      throw new CertificateImportError(
        CertificateImportErrorCode.NOT_YET_VALID,
        `the certificate '${subjectOf(certificate)}' is not valid yet: it is ${period} ` +
          `(now is ${dateOf(now)}; if that is wrong, correct the clock)`,
      );
    }
    if (now > to) {
      throw new CertificateImportError(
        CertificateImportErrorCode.EXPIRED,
        `the certificate '${subjectOf(certificate)}' expired on ${dateOf(to)} (it was ${period})`,
      );
    }
    const msLeft = to.getTime() - now.getTime();
    const daysLeft = Math.floor(msLeft / DAY_MS);
    if (msLeft < expiryWarningMs(from, to)) {
      warnings.push(
        `the certificate '${subjectOf(certificate)}' expires in ${daysLeft} ${daysLeft === 1 ? 'day' : 'days'} ` +
          `(on ${dateOf(to)})`,
      );
    }
  }
  return warnings;
}

/**
 * The server certificate may be used by a TLS server: extendedKeyUsage, when present, includes serverAuth
 * (or anyExtendedKeyUsage); keyUsage, when present, includes digitalSignature, which every handshake
 * central allows needs (TLS 1.3 and ECDHE in TLS 1.2 sign; RSA key transport, the only use of
 * keyEncipherment alone, is not among the Mozilla intermediate ciphers).
 */
export function checkServerUsage(certificate: X509Certificate): void {
  const extendedUsages = certificate.keyUsage; // Node names the extendedKeyUsage list this way
  if (
    extendedUsages !== undefined &&
    !extendedUsages.includes(SERVER_AUTH) &&
    !extendedUsages.includes(ANY_EXTENDED_KEY_USAGE)
  ) {
    const allowed = extendedUsages.map((oid) => EXTENDED_KEY_USAGE_NAMES[oid] ?? oid).join(', ');
    throw new CertificateImportError(
      CertificateImportErrorCode.NO_SERVER_AUTH,
      `the certificate '${subjectOf(certificate)}' is not for TLS servers: its extended key usage allows ` +
        `only ${allowed || 'nothing'}; ask your CA for a certificate with serverAuth`,
    );
  }
  const x509 = loadedX509(); // importServerIdentity loaded it
  const keyUsage = new x509.X509Certificate(certificate.raw).getExtension(x509.KeyUsagesExtension);
  if (keyUsage !== null && (keyUsage.usages & x509.KeyUsageFlags.digitalSignature) === 0) {
    const allowed = Object.entries(x509.KeyUsageFlags)
      .filter(([, flag]) => typeof flag === 'number' && (keyUsage.usages & flag) !== 0)
      .map(([name]) => name)
      .join(', ');
    throw new CertificateImportError(
      CertificateImportErrorCode.KEY_USAGE_NOT_FOR_TLS,
      `the certificate '${subjectOf(certificate)}' cannot sign TLS handshakes: its key usage lacks ` +
        `digitalSignature (it allows only ${allowed || 'nothing'}); ask your CA for a certificate with ` +
        'digitalSignature',
    );
  }
}

/**
 * The certificate's subjectAltNames cover every host: DNS names exactly or by a wildcard of one label
 * (`*.example.com` covers `a.example.com`, not `example.com` or `a.b.example.com`), IP addresses exactly.
 * The common name does not count: clients stopped looking at it.
 */
export function checkHosts(certificate: X509Certificate, hosts: readonly string[]): void {
  const uncovered = hosts
    .map((host) => host.trim())
    .filter((host) => host !== '')
    .filter((host) => !covers(certificate, host));
  if (uncovered.length === 0) return;
  const names = certificate.subjectAltName;
  throw new CertificateImportError(
    CertificateImportErrorCode.HOSTS_NOT_COVERED,
    `the certificate '${subjectOf(certificate)}' does not cover ${uncovered.join(', ')}, which agents use ` +
      'to reach central; ' +
      (names
        ? `it covers ${names.replace(/IP Address:/g, 'IP:')}`
        : 'it has no subjectAltName (clients no longer accept the common name)'),
  );
}

function covers(certificate: X509Certificate, host: string): boolean {
  const address = host.replace(/^\[(.*)\]$/, '$1');
  if (isIP(address) !== 0) return certificate.checkIP(address) !== undefined;
  const name = host.replace(/\.$/, '');
  return (
    certificate.checkHost(name, {
      subject: 'never',
      wildcards: true,
      partialWildcards: false,
      multiLabelWildcards: false,
    }) !== undefined
  );
}

/** RSA keys of at least 2048 bits (what CAs and current clients require). */
export function checkKeyStrength(key: KeyObject, certificate: X509Certificate): void {
  const bits = key.asymmetricKeyDetails?.modulusLength;
  const rsa = key.asymmetricKeyType === 'rsa' || key.asymmetricKeyType === 'rsa-pss';
  if (rsa && bits !== undefined && bits < MIN_RSA_BITS) {
    throw new CertificateImportError(
      CertificateImportErrorCode.WEAK_KEY,
      `the RSA key of '${subjectOf(certificate)}' has ${bits} bits; at least ${MIN_RSA_BITS} are needed ` +
        '(clients refuse shorter keys): request a new certificate with a longer key, or use ECDSA P-256',
    );
  }
}
