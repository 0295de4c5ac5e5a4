/**
 * Why a server identity could not be imported. One code per thing an operator can act on; the error's
 * message says it in their words and names the file where that helps.
 */
export const CertificateImportErrorCode = {
  /** A PKCS#12 file or encrypted key needs a password and none was given. */
  PASSWORD_REQUIRED: 'PASSWORD_REQUIRED',
  /** The password does not open a PKCS#12 file or an encrypted key. */
  WRONG_PASSWORD: 'WRONG_PASSWORD',
  /** A file is none of the certificate, key, PKCS#12 or PKCS#7 formats. */
  UNRECOGNIZED_FORMAT: 'UNRECOGNIZED_FORMAT',
  /** A file of a recognized format is truncated or damaged. */
  CORRUPT_FILE: 'CORRUPT_FILE',
  /** A recognized format in a variant not supported (an algorithm, a JKS key store, an OpenSSH key). */
  UNSUPPORTED: 'UNSUPPORTED',
  /** No file holds a certificate. */
  NO_CERTIFICATE: 'NO_CERTIFICATE',
  /** No file holds a private key. */
  NO_PRIVATE_KEY: 'NO_PRIVATE_KEY',
  /** Several private keys were given and none belongs to a certificate given. */
  NO_MATCHING_KEY: 'NO_MATCHING_KEY',
  /** The one private key given does not belong to the certificate. */
  KEY_MISMATCH: 'KEY_MISMATCH',
  /** An issuer certificate up to a self-signed root is missing. */
  CHAIN_INCOMPLETE: 'CHAIN_INCOMPLETE',
  /** A certificate's signature does not verify with its issuer's key (or a root's with its own). */
  CHAIN_SIGNATURE_INVALID: 'CHAIN_SIGNATURE_INVALID',
  /** An intermediate certificate that issued another is not a CA certificate. */
  ISSUER_NOT_CA: 'ISSUER_NOT_CA',
  /** A certificate of the chain has expired. */
  EXPIRED: 'EXPIRED',
  /** A certificate of the chain is not valid yet. */
  NOT_YET_VALID: 'NOT_YET_VALID',
  /** The certificate's extended key usage does not allow TLS server authentication. */
  NO_SERVER_AUTH: 'NO_SERVER_AUTH',
  /** The certificate's key usage does not allow the signatures TLS handshakes need. */
  KEY_USAGE_NOT_FOR_TLS: 'KEY_USAGE_NOT_FOR_TLS',
  /** The certificate's subjectAltNames do not cover every host name agents use. */
  HOSTS_NOT_COVERED: 'HOSTS_NOT_COVERED',
  /** The RSA key is shorter than 2048 bits. */
  WEAK_KEY: 'WEAK_KEY',
  /** Opening a file would derive keys with more iterations (or scrypt cost) than central accepts. */
  TOO_COSTLY: 'TOO_COSTLY',
  /** Reading the files took longer than central allows; the work was stopped. */
  TOO_SLOW: 'TOO_SLOW',
} as const;
export type CertificateImportErrorCode =
  (typeof CertificateImportErrorCode)[keyof typeof CertificateImportErrorCode];

/** The only error importServerIdentity throws for bad input; `code` for programs, `message` for people. */
export class CertificateImportError extends Error {
  override readonly name = 'CertificateImportError';
  /** The name of the file the problem is in, when it is in one. */
  readonly file?: string;

  constructor(
    readonly code: CertificateImportErrorCode,
    message: string,
    options?: { cause?: unknown; file?: string },
  ) {
    super(message, options?.cause === undefined ? undefined : { cause: options.cause });
    this.file = options?.file;
  }
}
