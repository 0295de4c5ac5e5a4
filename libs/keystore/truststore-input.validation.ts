import { X509Certificate } from 'node:crypto';
import { KeystoreError, KeystoreErrorCode } from './keystore.errors.js';
import type { TrustedCertificate } from './truststore.types.js';

/**
 * Checks what a writer is given: at least one certificate, non-empty aliases that stay distinct when Java
 * lower-cases them, and DER that parses as an X.509 certificate.
 */
export function validateTruststoreInput(certs: readonly TrustedCertificate[]): void {
  if (certs.length === 0) {
    throw new KeystoreError(
      KeystoreErrorCode.EMPTY,
      'no certificates to write: a truststore needs at least one trusted certificate',
    );
  }
  const seen = new Map<string, string>();
  for (const { alias, der } of certs) {
    if (alias.length === 0) throw unsupported('a certificate has an empty alias');
    // Java keys both JKS and PKCS#12 entries by the lower-cased alias: such duplicates would collapse.
    const key = alias.toLowerCase();
    const previous = seen.get(key);
    if (previous !== undefined) {
      throw unsupported(
        previous === alias
          ? `alias '${alias}' is used twice`
          : `aliases '${previous}' and '${alias}' differ only in case, which Java treats as the same alias`,
      );
    }
    seen.set(key, alias);
    try {
      new X509Certificate(der);
    } catch (error) {
      throw unsupported(`'${alias}' is not a DER-encoded X.509 certificate`, error);
    }
  }
}

const unsupported = (message: string, cause?: unknown) =>
  new KeystoreError(
    KeystoreErrorCode.UNSUPPORTED_ENTRY,
    message,
    cause === undefined ? undefined : { cause },
  );
