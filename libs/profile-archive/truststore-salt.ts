import { createHash } from 'node:crypto';

/** Length keytool uses for PKCS#12 MAC salts. */
const SALT_BYTES = 20;
/** Keeps this hash from ever equalling a hash of the same bytes computed for another purpose. */
const DOMAIN = 'switchyard pkcs12 mac salt v1\0';

/**
 * A PKCS#12 MAC salt derived from the truststore's content (aliases and certificates, in order), for
 * `writePkcs12Truststore(certs, password, { salt })`: the same certificates give the same truststore bytes,
 * hence the same profile archive. Each field is length-prefixed so that different lists never hash alike.
 * The password is deliberately not an input: the salt is stored in clear in the file.
 */
export function truststoreMacSalt(certificates: ReadonlyArray<{ alias: string; der: Buffer }>): Buffer {
  const hash = createHash('sha256').update(DOMAIN);
  const field = (bytes: Buffer) => {
    const length = Buffer.alloc(4);
    length.writeUInt32BE(bytes.length);
    hash.update(length).update(bytes);
  };
  for (const { alias, der } of certificates) {
    field(Buffer.from(alias, 'utf8'));
    field(der);
  }
  return hash.digest().subarray(0, SALT_BYTES);
}
