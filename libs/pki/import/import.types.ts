import type { KeyObject, X509Certificate } from 'node:crypto';
import type { CertificateSummary } from '../self-signed.js';

/** One file an operator gave. */
export interface ImportFile {
  /** Used in messages and as a hint only: formats are told by content. */
  name: string;
  bytes: Buffer;
}

export interface ImportOptions {
  /** The password of a PKCS#12 file or an encrypted private key. */
  password?: string;
  /** Host names and IP addresses agents use to reach central; the certificate must cover each. */
  hosts?: string[];
  now?: Date;
}

export interface ImportedServerIdentity {
  /** Leaf first, then its issuers in order up to and including the self-signed root, PEM concatenated. */
  chainPem: string;
  /** The private key as unencrypted PKCS#8 PEM. */
  keyPem: string;
  summary: CertificateSummary;
  /** What was fixed or deserves attention, in words for operators. */
  warnings: string[];
}

/** A certificate found in a file, with where it was. */
export interface FoundCertificate {
  certificate: X509Certificate;
  file: string;
  /** 0-based position among the certificates of its file. */
  position: number;
  /** Whether the file's order means something (a PEM chain) rather than being a set (PKCS#7, PKCS#12). */
  ordered: boolean;
  /** The PKCS#12 localKeyId that ties it to a key of the same file. */
  localKeyId?: Buffer;
}

/** A private key found in a file. */
export interface FoundKey {
  key: KeyObject;
  file: string;
  localKeyId?: Buffer;
}

/** What one file holds. */
export interface FileContents {
  certificates: FoundCertificate[];
  keys: FoundKey[];
}
