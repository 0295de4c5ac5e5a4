import { createPublicKey, type X509Certificate } from 'node:crypto';
import { CertificateImportError, CertificateImportErrorCode } from './certificate-import.errors.js';
import { subjectOf } from './certificate.names.js';
import type { FoundCertificate, FoundKey } from './import.types.js';

export interface SelectedServerKey {
  key: FoundKey;
  /** The certificate the key belongs to: the server certificate, first in the chain. */
  leaf: FoundCertificate;
  warnings: string[];
}

/**
 * Finds the private key and the certificate it belongs to. Several certificates of the same key (a
 * renewal next to the old one) resolve to a non-CA certificate, then the one valid longest.
 */
export function selectServerKey(
  certificates: readonly FoundCertificate[],
  keys: readonly FoundKey[],
  fileNames: readonly string[],
): SelectedServerKey {
  if (certificates.length === 0) {
    throw new CertificateImportError(
      CertificateImportErrorCode.NO_CERTIFICATE,
      `no certificate found in ${list(fileNames)}: add the server certificate (.crt, .cer, .pem, .p7b) ` +
        'or a .pfx/.p12 that holds it',
    );
  }
  const distinctKeys = distinct(keys);
  if (distinctKeys.length === 0) {
    throw new CertificateImportError(
      CertificateImportErrorCode.NO_PRIVATE_KEY,
      `no private key found in ${list(fileNames)}: add the key file, or a .pfx/.p12 that holds the key`,
    );
  }
  const matches = distinctKeys.flatMap((key) =>
    certificates.filter(({ certificate }) => belongsTo(key, certificate)).map((leaf) => ({ key, leaf })),
  );
  if (matches.length === 0) throw mismatch(distinctKeys, serverCertificateOf(certificates));

  matches.sort(
    (a, b) =>
      Number(a.leaf.certificate.ca) - Number(b.leaf.certificate.ca) ||
      Date.parse(b.leaf.certificate.validTo) - Date.parse(a.leaf.certificate.validTo),
  );
  const chosen = matches[0]!;
  const warnings: string[] = [];
  const unused = distinctKeys.length - 1;
  if (unused > 0) {
    warnings.push(
      `${unused === 1 ? '1 other private key was' : `${unused} other private keys were`} left out; ` +
        `the key in ${chosen.key.file}, which belongs to '${subjectOf(chosen.leaf.certificate)}', is used`,
    );
  }
  return { ...chosen, warnings };
}

function mismatch(keys: readonly FoundKey[], server: FoundCertificate): CertificateImportError {
  const name = `'${subjectOf(server.certificate)}' (from ${server.file})`;
  if (keys.length === 1) {
    const file = keys[0]!.file;
    return new CertificateImportError(
      CertificateImportErrorCode.KEY_MISMATCH,
      `the private key in ${file} does not belong to the certificate ${name}: ` +
        'import the key that was used to request this certificate',
      { file },
    );
  }
  return new CertificateImportError(
    CertificateImportErrorCode.NO_MATCHING_KEY,
    `none of the ${keys.length} private keys (in ${list(keys.map((key) => key.file))}) ` +
      `belongs to the certificate ${name}`,
  );
}

function belongsTo(key: FoundKey, certificate: X509Certificate): boolean {
  try {
    return certificate.checkPrivateKey(key.key);
  } catch {
    return false; // a key of another type
  }
}

/** The certificate that looks like the server's: not a CA and issuer of no other, else the first. */
function serverCertificateOf(certificates: readonly FoundCertificate[]): FoundCertificate {
  const issuesAnother = (candidate: X509Certificate) =>
    certificates.some(({ certificate }) => certificate !== candidate && certificate.checkIssued(candidate));
  return (
    certificates.find(({ certificate }) => !certificate.ca && !issuesAnother(certificate)) ?? certificates[0]!
  );
}

/** The same key given twice (a .key file and a .pfx) counts once. */
function distinct(keys: readonly FoundKey[]): FoundKey[] {
  const seen = new Set<string>();
  return keys.filter(({ key }) => {
    const spki = createPublicKey(key).export({ type: 'spki', format: 'der' }).toString('base64');
    if (seen.has(spki)) return false;
    seen.add(spki);
    return true;
  });
}

const list = (names: readonly string[]): string => [...new Set(names)].join(', ') || 'the files given';
