import { createHash } from 'node:crypto';

// Layout of Sun's JKS and JCEKS keystores (sun.security.provider.JavaKeyStore, com.sun.crypto.provider.
// JceKeyStore); all integers big-endian.

export const JKS_MAGIC = 0xfeedfeed;
export const JCEKS_MAGIC = 0xcececece;
/** Version 2 adds the certificate type ("X.509") before each certificate. */
export const JKS_VERSION = 2;

export const JksEntryTag = {
  PRIVATE_KEY: 1,
  TRUSTED_CERT: 2,
  /** JCEKS only: a serialized Java object with no length prefix, so it cannot be skipped. */
  SECRET_KEY: 3,
} as const;

export const JKS_CERT_TYPE = 'X.509';
export const JKS_DIGEST_LENGTH = 20;

/**
 * The integrity digest ending a JKS or JCEKS file: SHA-1 over the password as UTF-16BE, the ASCII bytes of
 * "Mighty Aphrodite", then every byte of the file before the digest.
 */
export function jksIntegrityDigest(password: string, data: Buffer): Buffer {
  return createHash('sha1')
    .update(Buffer.from(password, 'utf16le').swap16())
    .update('Mighty Aphrodite', 'latin1')
    .update(data)
    .digest();
}
