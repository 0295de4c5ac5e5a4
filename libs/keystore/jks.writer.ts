import { JKS_CERT_TYPE, JKS_MAGIC, JKS_VERSION, JksEntryTag, jksIntegrityDigest } from './jks.format.js';
import { KeystoreError, KeystoreErrorCode } from './keystore.errors.js';
import { encodeModifiedUtf8 } from './modified-utf8.js';
import { validateTruststoreInput } from './truststore-input.validation.js';
import type { TrustedCertificate } from './truststore.types.js';

/** Creation date written into every entry when none is given: the Unix epoch, 1970-01-01T00:00:00Z. */
const DEFAULT_TIMESTAMP = new Date(0);

/**
 * Writes a JKS (version 2) truststore with one trustedCertEntry per certificate, in the order given, and
 * the integrity digest that `keytool -list -storepass` checks.
 *
 * The output is deterministic: the same certificates, password and timestamp give the same bytes. Every
 * entry's creation date is `opts.timestamp`, by default the Unix epoch (1970-01-01T00:00:00Z).
 * Aliases are written lower-cased, as Java's own JKS writer does: Java looks JKS entries up by the
 * lower-cased alias, so keytool could not find an entry stored under a mixed-case alias.
 *
 * @throws KeystoreError EMPTY when `certs` is empty; UNSUPPORTED_ENTRY for an empty, duplicate
 *   (case-insensitively) or over-long alias, or DER that is not an X.509 certificate.
 */
export function writeJksTruststore(
  certs: TrustedCertificate[],
  password: string,
  opts: { timestamp?: Date } = {},
): Buffer {
  validateTruststoreInput(certs);
  const timestamp = opts.timestamp ?? DEFAULT_TIMESTAMP;
  const millis = timestamp.getTime();
  if (!Number.isFinite(millis)) throw new RangeError('writeJksTruststore: timestamp is an invalid Date');

  const parts: Buffer[] = [u32(JKS_MAGIC), u32(JKS_VERSION), u32(certs.length)];
  for (const { alias, der } of certs) {
    const time = Buffer.alloc(8);
    time.writeBigInt64BE(BigInt(millis));
    parts.push(
      u32(JksEntryTag.TRUSTED_CERT),
      utf(alias.toLowerCase()),
      time,
      utf(JKS_CERT_TYPE),
      u32(der.length),
      der,
    );
  }
  const data = Buffer.concat(parts);
  return Buffer.concat([data, jksIntegrityDigest(password, data)]);
}

function u32(value: number): Buffer {
  const bytes = Buffer.alloc(4);
  bytes.writeUInt32BE(value);
  return bytes;
}

/** Java's writeUTF: a 2-byte length, then modified UTF-8. */
function utf(text: string): Buffer {
  const encoded = encodeModifiedUtf8(text);
  if (encoded.length > 0xffff) {
    throw new KeystoreError(
      KeystoreErrorCode.UNSUPPORTED_ENTRY,
      `alias '${text.slice(0, 40)}…' is longer than the 65535 bytes JKS allows`,
    );
  }
  const length = Buffer.alloc(2);
  length.writeUInt16BE(encoded.length);
  return Buffer.concat([length, encoded]);
}
