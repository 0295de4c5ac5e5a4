import { timingSafeEqual } from 'node:crypto';
import { JksByteReader } from './jks.byte-reader.js';
import {
  JCEKS_MAGIC,
  JKS_CERT_TYPE,
  JKS_DIGEST_LENGTH,
  JKS_MAGIC,
  JksEntryTag,
  jksIntegrityDigest,
} from './jks.format.js';
import { corrupt, KeystoreError, KeystoreErrorCode, WRONG_PASSWORD_MESSAGE } from './keystore.errors.js';
import { decodeModifiedUtf8 } from './modified-utf8.js';
import type { TrustedCertificate, TruststoreContents } from './truststore.types.js';

/**
 * Reads the trusted-certificate entries of a JKS or JCEKS file and checks its integrity digest.
 * Private-key entries are skipped; JCEKS secret-key entries cannot be skipped (no length prefix) and fail
 * with UNSUPPORTED_ENTRY.
 */
export function readJks(bytes: Buffer, password: string): TruststoreContents {
  const magic = bytes.length >= 4 ? bytes.readUInt32BE(0) : undefined;
  if (magic !== JKS_MAGIC && magic !== JCEKS_MAGIC) {
    const found = magic === undefined ? `only ${bytes.length} bytes` : `0x${magic.toString(16)}`;
    throw corrupt(`not a JKS file: expected magic 0xfeedfeed (or JCEKS 0xcececece), found ${found}`);
  }
  const format = magic === JKS_MAGIC ? 'JKS' : 'JCEKS';
  const reader = new JksByteReader(bytes, format);
  reader.u32('magic');
  const version = reader.u32('version');
  if (version !== 1 && version !== 2) throw corrupt(`${format} file has unknown version ${version}`);

  const readCertificate = (entry: string) => {
    const type = version === 2 ? readUtf(reader, `${entry} certificate type`) : JKS_CERT_TYPE;
    const length = reader.u32(`${entry} certificate length`);
    return { type, der: reader.take(length, `${entry} certificate`) };
  };

  const count = reader.u32('entry count');
  const certificates: TrustedCertificate[] = [];
  let skippedEntries = 0;
  for (let index = 1; index <= count; index++) {
    const tagOffset = reader.offset;
    const tag = reader.u32(`entry ${index} tag`);
    const known = tag === JksEntryTag.TRUSTED_CERT || tag === JksEntryTag.PRIVATE_KEY;
    if (!known && !(tag === JksEntryTag.SECRET_KEY && format === 'JCEKS')) {
      throw corrupt(`${format} entry ${index} has unknown entry tag ${tag} (at byte ${tagOffset})`);
    }
    const alias = readUtf(reader, `entry ${index} alias`);
    const entry = `entry ${index} ('${alias}')`;
    if (tag === JksEntryTag.SECRET_KEY) {
      throw new KeystoreError(
        KeystoreErrorCode.UNSUPPORTED_ENTRY,
        `JCEKS ${entry} is a secret-key entry, which cannot be read; ` +
          'keep only certificates in a truststore, or convert it to PKCS#12',
      );
    }
    reader.take(8, `${entry} timestamp`);
    if (tag === JksEntryTag.TRUSTED_CERT) {
      const { type, der } = readCertificate(entry);
      if (type !== JKS_CERT_TYPE) {
        throw new KeystoreError(
          KeystoreErrorCode.UNSUPPORTED_ENTRY,
          `${format} ${entry} holds a '${type}' certificate; only X.509 is supported`,
        );
      }
      certificates.push({ alias, der: Buffer.from(der) });
    } else {
      reader.take(reader.u32(`${entry} key length`), `${entry} key`);
      const chainLength = reader.u32(`${entry} chain length`);
      for (let i = 1; i <= chainLength; i++) readCertificate(`${entry} chain certificate ${i}`);
      skippedEntries++;
    }
  }

  const dataEnd = reader.offset;
  const stored = reader.take(JKS_DIGEST_LENGTH, 'integrity digest');
  // Bytes after the digest are ignored, as Java does.
  if (!timingSafeEqual(stored, jksIntegrityDigest(password, bytes.subarray(0, dataEnd)))) {
    throw new KeystoreError(KeystoreErrorCode.WRONG_PASSWORD, WRONG_PASSWORD_MESSAGE);
  }
  return { certificates, skippedEntries };
}

function readUtf(reader: JksByteReader, field: string): string {
  const offset = reader.offset;
  const text = decodeModifiedUtf8(reader.take(reader.u16(`${field} length`), field));
  if (text === undefined) throw corrupt(`${field} at byte ${offset} is not valid modified UTF-8`);
  return text;
}
