import type { X509Certificate } from 'node:crypto';
import { CertificateImportError, CertificateImportErrorCode } from './certificate-import.errors.js';
import { issuerOf, subjectOf } from './certificate.names.js';
import type { FoundCertificate } from './import.types.js';

/** Longer chains than this are a loop or a mistake, not a PKI. */
const MAX_CHAIN_LENGTH = 10;

export interface BuiltChain {
  /** Leaf first, root last. */
  chain: FoundCertificate[];
  warnings: string[];
}

/**
 * Orders the chain from the leaf up to a self-signed root, verifying each signature with the issuer's key.
 * Agents' truststores need the root, so a chain that stops short of one is incomplete. Certificates that
 * are not part of the chain are left out with a warning; a PEM file whose order was wrong gets a warning.
 */
export function buildCertificateChain(leaf: FoundCertificate, pool: readonly FoundCertificate[]): BuiltChain {
  const candidates = distinct(pool).filter((found) => !sameCertificate(found, leaf));
  const chain = [leaf];
  for (let current = leaf; !isSelfIssued(current.certificate);) {
    if (chain.length >= MAX_CHAIN_LENGTH) {
      throw new CertificateImportError(
        CertificateImportErrorCode.CHAIN_INCOMPLETE,
        `the chain of '${subjectOf(leaf.certificate)}' does not reach a self-signed root within ` +
          `${MAX_CHAIN_LENGTH} certificates`,
      );
    }
    const issuer = issuerIn(
      current,
      candidates.filter((found) => !chain.includes(found)),
    );
    chain.push(issuer);
    current = issuer;
  }
  const root = chain[chain.length - 1]!.certificate;
  if (!root.verify(root.publicKey)) {
    throw new CertificateImportError(
      CertificateImportErrorCode.CHAIN_SIGNATURE_INVALID,
      `the signature of the root certificate '${subjectOf(root)}' does not verify with its own key: ` +
        'the certificate is damaged',
    );
  }

  const warnings: string[] = [];
  const reordered = [...new Set(chain.filter((found) => found.ordered).map((found) => found.file))].filter(
    (file) => !inOrder(chain.filter((found) => found.file === file && found.ordered)),
  );
  if (reordered.length > 0) {
    warnings.push(
      `the chain in ${reordered.join(', ')} was out of order and has been reordered (server certificate first, root last)`,
    );
  }
  const unused = candidates.filter((found) => !chain.some((link) => sameCertificate(link, found)));
  if (unused.length > 0) {
    warnings.push(
      `${unused.length === 1 ? 'a certificate' : `${unused.length} certificates`} not part of the chain ` +
        `${unused.length === 1 ? 'was' : 'were'} left out: ` +
        unused.map((found) => `'${subjectOf(found.certificate)}'`).join(', '),
    );
  }
  return { chain, warnings };
}

/** The certificate in `candidates` that issued and signed `current`. */
function issuerIn(current: FoundCertificate, candidates: readonly FoundCertificate[]): FoundCertificate {
  const certificate = current.certificate;
  const named = candidates.filter(
    (found) => found.certificate.subject === certificate.issuer || certificate.checkIssued(found.certificate),
  );
  const issuer = named.find(
    (found) => certificate.checkIssued(found.certificate) && certificate.verify(found.certificate.publicKey),
  );
  if (issuer === undefined && named.length > 0) {
    throw new CertificateImportError(
      CertificateImportErrorCode.CHAIN_SIGNATURE_INVALID,
      `the signature of '${subjectOf(certificate)}' does not verify with the key of the certificate ` +
        `'${issuerOf(certificate)}' given (from ${named[0]!.file}): that is another certificate of the same ` +
        'name (another CA, or a renewal with a new key); add the one that issued it',
      { file: named[0]!.file },
    );
  }
  if (issuer === undefined) {
    throw new CertificateImportError(
      CertificateImportErrorCode.CHAIN_INCOMPLETE,
      `the issuer '${issuerOf(certificate)}' of '${subjectOf(certificate)}' is missing: add its certificate` +
        (isSelfIssued(certificate) ? '' : ' (the chain must go up to the root, which agents need to trust)'),
    );
  }
  if (!issuer.certificate.ca && !isSelfIssued(issuer.certificate)) {
    throw new CertificateImportError(
      CertificateImportErrorCode.ISSUER_NOT_CA,
      `'${subjectOf(issuer.certificate)}' (from ${issuer.file}) signed '${subjectOf(certificate)}' but is ` +
        'not a CA certificate (its basicConstraints do not say CA:TRUE), so clients reject the chain',
      { file: issuer.file },
    );
  }
  return issuer;
}

/** Whether the certificates of one file appear in the file in chain order. */
function inOrder(links: readonly FoundCertificate[]): boolean {
  return links.every((link, index) => index === 0 || links[index - 1]!.position < link.position);
}

const isSelfIssued = (certificate: X509Certificate): boolean => certificate.subject === certificate.issuer;

const sameCertificate = (a: FoundCertificate, b: FoundCertificate): boolean =>
  a.certificate.fingerprint256 === b.certificate.fingerprint256;

/** The same certificate in several files (a chain file and a .pfx) counts once, where first seen. */
function distinct(pool: readonly FoundCertificate[]): FoundCertificate[] {
  return pool.filter((found, index) => pool.findIndex((other) => sameCertificate(other, found)) === index);
}
