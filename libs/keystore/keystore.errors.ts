/**
 * Why a truststore could not be read or written. One code per thing an operator can act on.
 */
export const KeystoreErrorCode = {
  /** The password does not open the store: the JKS integrity digest or the PKCS#12 MAC does not match. */
  WRONG_PASSWORD: 'WRONG_PASSWORD',
  /** The bytes are truncated or malformed for the format they claim to be. */
  CORRUPT: 'CORRUPT',
  /** Not a JKS, JCEKS or PKCS#12 file, or a variant or algorithm this library does not implement. */
  UNSUPPORTED_TYPE: 'UNSUPPORTED_TYPE',
  /**
   * An entry that cannot be read (a JCEKS secret-key entry, a non-X.509 certificate) or written
   * (an empty or duplicate alias, bytes that are not a DER X.509 certificate).
   */
  UNSUPPORTED_ENTRY: 'UNSUPPORTED_ENTRY',
  /** The store holds no trusted certificate, or a writer was given none. */
  EMPTY: 'EMPTY',
} as const;
export type KeystoreErrorCode = (typeof KeystoreErrorCode)[keyof typeof KeystoreErrorCode];

/** The message of every WRONG_PASSWORD error: a digest or MAC cannot tell a wrong password from tampering. */
export const WRONG_PASSWORD_MESSAGE = 'truststore password is wrong (or the file was altered)';

/**
 * The only error type the keystore readers and writers throw for bad input; `code` says what went wrong
 * and `message` says it in words an operator can act on.
 */
export class KeystoreError extends Error {
  override readonly name = 'KeystoreError';

  constructor(
    readonly code: KeystoreErrorCode,
    message: string,
    options?: { cause?: unknown },
  ) {
    super(message, options);
  }
}

/** Shorthand for the most common failure: the bytes are not what the format says. */
export const corrupt = (message: string, cause?: unknown): KeystoreError =>
  new KeystoreError(KeystoreErrorCode.CORRUPT, message, cause === undefined ? undefined : { cause });
