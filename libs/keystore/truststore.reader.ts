import { X509Certificate } from 'node:crypto';
import { readJks } from './jks.reader.js';
import { detectKeystoreType } from './keystore-type.detector.js';
import { corrupt, KeystoreError, KeystoreErrorCode } from './keystore.errors.js';
import { readPkcs12 } from './pkcs12.reader.js';
import type { TrustedCertificate, TruststoreContents, TruststoreType } from './truststore.types.js';

/** Shorter than any truststore header: treated as a truncated file rather than an unknown format. */
const MIN_HEADER_LENGTH = 8;

/**
 * Reads the trusted certificates of a JKS, JCEKS or PKCS#12 truststore, in file order, after checking the
 * password against the JKS integrity digest or the PKCS#12 MAC.
 *
 * Private-key entries are skipped. Aliases are returned as stored (Java shows them lower-cased).
 * Certificates are the stored DER, byte for byte; RSA, EC and any other key type Node's X509Certificate
 * parses.
 *
 * @param type the format; detected from the header when omitted. A file recognisably of the other
 *   format fails with UNSUPPORTED_TYPE.
 * @throws KeystoreError — WRONG_PASSWORD when the digest or MAC does not match; CORRUPT for truncated or
 *   malformed input (the message says what and where); UNSUPPORTED_TYPE for another format or an
 *   unsupported PKCS#12 algorithm; UNSUPPORTED_ENTRY for JCEKS secret keys or non-X.509 certificates;
 *   EMPTY when the store holds no trusted certificate.
 */
export function readTruststore(bytes: Buffer, password: string, type?: TruststoreType): TrustedCertificate[] {
  if (type !== undefined && type !== 'jks' && type !== 'pkcs12') {
    throw new KeystoreError(
      KeystoreErrorCode.UNSUPPORTED_TYPE,
      `truststore type '${String(type)}' is not supported`,
    );
  }
  const format = type ?? detectFormat(bytes);
  const detected = detectKeystoreType(bytes);
  if (detected !== undefined && detected !== format) {
    throw new KeystoreError(
      KeystoreErrorCode.UNSUPPORTED_TYPE,
      `truststore was expected to be ${formatName(format)} but the file is ${formatName(detected)}`,
    );
  }
  let contents: TruststoreContents;
  try {
    contents = format === 'jks' ? readJks(bytes, password) : readPkcs12(bytes, password);
  } catch (error) {
    if (error instanceof KeystoreError) throw error;
    // The readers check bounds themselves; this only keeps the promise of throwing nothing but KeystoreError.
    throw corrupt(`${formatName(format)} file could not be read: ${String(error)}`, error);
  }
  const { certificates, skippedEntries } = contents;
  if (certificates.length === 0) {
    throw new KeystoreError(
      KeystoreErrorCode.EMPTY,
      'truststore holds no trusted certificate' +
        (skippedEntries === 0
          ? ''
          : ` (${skippedEntries} private-key or other ${entries(skippedEntries)} skipped)`),
    );
  }
  for (const { alias, der } of certificates) {
    try {
      new X509Certificate(der);
    } catch (error) {
      throw corrupt(`certificate '${alias}' is not a valid X.509 certificate`, error);
    }
  }
  return certificates;
}

function detectFormat(bytes: Buffer): TruststoreType {
  const detected = detectKeystoreType(bytes);
  if (detected !== undefined) return detected;
  if (bytes.length < MIN_HEADER_LENGTH) {
    throw corrupt(`truststore file is empty or truncated: ${bytes.length} bytes`);
  }
  const pem = bytes.subarray(0, 64).toString('latin1').includes('-----BEGIN');
  throw new KeystoreError(
    KeystoreErrorCode.UNSUPPORTED_TYPE,
    pem
      ? 'truststore is PEM text; a JKS or PKCS#12 file is expected (convert it, e.g. with keytool -importcert)'
      : 'truststore is neither a JKS nor a PKCS#12 file (unrecognised header)',
  );
}

const formatName = (type: TruststoreType): string => (type === 'jks' ? 'JKS' : 'PKCS#12');

const entries = (count: number): string => (count === 1 ? 'entry' : 'entries');
