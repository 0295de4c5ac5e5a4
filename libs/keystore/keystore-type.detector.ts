import { JCEKS_MAGIC, JKS_MAGIC } from './jks.format.js';
import type { TruststoreType } from './truststore.types.js';

/**
 * Tells the truststore format from the first bytes: `jks` for the JKS magic 0xFEEDFEED (and for JCEKS,
 * 0xCECECECE, which the JKS reader also reads); `pkcs12` for a DER SEQUENCE whose first element is
 * INTEGER 3 (the PFX version); undefined otherwise. Only the header is looked at, so a truncated file is
 * still recognised.
 */
export function detectKeystoreType(bytes: Buffer): TruststoreType | undefined {
  if (bytes.length >= 4) {
    const magic = bytes.readUInt32BE(0);
    if (magic === JKS_MAGIC || magic === JCEKS_MAGIC) return 'jks';
  }
  if (bytes[0] !== 0x30 || bytes.length < 2) return undefined;
  // Skip the SEQUENCE length: short form, indefinite (0x80), or long form with 1-4 length bytes.
  const lengthByte = bytes[1]!;
  const versionAt = lengthByte <= 0x80 ? 2 : lengthByte <= 0x84 ? 2 + (lengthByte & 0x7f) : undefined;
  if (versionAt === undefined) return undefined;
  const version = bytes.subarray(versionAt, versionAt + 3);
  return version.equals(Buffer.from([0x02, 0x01, 0x03])) ? 'pkcs12' : undefined;
}
