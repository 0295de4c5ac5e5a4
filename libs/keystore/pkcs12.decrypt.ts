import { createDecipheriv, pbkdf2Sync } from 'node:crypto';
import forge from 'node-forge';
import { elementAt, integerOf, octetsOf, oidOf, sequenceOf } from './der.accessors.js';
import type { Asn1Node } from './der.reader.js';
import { KeystoreError, KeystoreErrorCode } from './keystore.errors.js';
import { pkcs12Kdf, Pkcs12KeyPurpose, pkcs12Password } from './pkcs12.kdf.js';
import { MAX_ITERATIONS, MAC_HASHES, Oid, PBES2_CIPHERS, PBKDF2_PRFS } from './pkcs12.oids.js';

/** A password-based decryption that failed its padding check: a wrong password or damaged data. */
export class DecryptionFailedError extends Error {}

/** PKCS#12 PBE schemes (RFC 7292 appendix C) this reader decrypts: key length and cipher. */
const PKCS12_PBE: Readonly<Record<string, { keyLength: number; cipher: string; rc2Bits?: number }>> = {
  [Oid.PBE_SHA1_3DES]: { keyLength: 24, cipher: 'des-ede3-cbc' },
  [Oid.PBE_SHA1_2DES]: { keyLength: 16, cipher: 'des-ede-cbc' },
  [Oid.PBE_SHA1_RC2_128]: { keyLength: 16, cipher: 'rc2', rc2Bits: 128 },
  [Oid.PBE_SHA1_RC2_40]: { keyLength: 5, cipher: 'rc2', rc2Bits: 40 },
};

/**
 * Decrypts PKCS#12 EncryptedData content with PBES2 (PBKDF2 + AES or 3DES, what Java 17 and OpenSSL 3
 * write) or a legacy PKCS#12 PBE scheme (3DES, RC2; RC2 through node-forge, which Node's OpenSSL 3 lacks).
 *
 * @throws DecryptionFailedError when the padding is wrong; KeystoreError for unsupported or malformed
 *   parameters.
 */
export function decryptWithPassword(algorithm: Asn1Node, ciphertext: Buffer, password: string): Buffer {
  const fields = sequenceOf(algorithm, 'encryption algorithm');
  const oid = oidOf(elementAt(fields, 0, 'encryption algorithm OID'), 'encryption algorithm OID');
  const params = elementAt(fields, 1, 'encryption algorithm parameters');
  if (oid === Oid.PBES2) return decryptPbes2(params, ciphertext, password);
  const scheme = PKCS12_PBE[oid];
  if (scheme === undefined) {
    throw new KeystoreError(
      KeystoreErrorCode.UNSUPPORTED_TYPE,
      `PKCS#12 contents are encrypted with algorithm ${oid}, which is not supported ` +
        '(supported: PBES2 with AES or 3DES, PKCS#12 PBE with 3DES or RC2)',
    );
  }
  const pbe = sequenceOf(params, 'PKCS#12 PBE parameters');
  const salt = octetsOf(elementAt(pbe, 0, 'PBE salt'), 'PBE salt');
  const iterations = iterationsOf(elementAt(pbe, 1, 'PBE iteration count'), 'PBE iteration count');
  const sha1 = MAC_HASHES[Oid.SHA1]!;
  const encoded = pkcs12Password(password);
  const key = pkcs12Kdf(sha1, encoded, salt, Pkcs12KeyPurpose.KEY, iterations, scheme.keyLength);
  const iv = pkcs12Kdf(sha1, encoded, salt, Pkcs12KeyPurpose.IV, iterations, 8);
  return scheme.rc2Bits === undefined
    ? decipher(scheme.cipher, key, iv, ciphertext)
    : decryptRc2(key, scheme.rc2Bits, iv, ciphertext);
}

function decryptPbes2(params: Asn1Node, ciphertext: Buffer, password: string): Buffer {
  const pbes2 = sequenceOf(params, 'PBES2 parameters');
  const kdf = sequenceOf(elementAt(pbes2, 0, 'PBES2 key derivation'), 'PBES2 key derivation');
  const kdfOid = oidOf(elementAt(kdf, 0, 'PBES2 key derivation OID'), 'PBES2 key derivation OID');
  if (kdfOid !== Oid.PBKDF2)
    throw unsupported(`PBES2 key derivation ${kdfOid} is not supported (only PBKDF2)`);
  const pbkdf2 = sequenceOf(elementAt(kdf, 1, 'PBKDF2 parameters'), 'PBKDF2 parameters');
  const salt = octetsOf(elementAt(pbkdf2, 0, 'PBKDF2 salt'), 'PBKDF2 salt');
  const iterations = iterationsOf(elementAt(pbkdf2, 1, 'PBKDF2 iteration count'), 'PBKDF2 iteration count');
  // Optional keyLength (INTEGER) and prf (SEQUENCE, default hmacWithSHA1) follow, in that order.
  const prfNode = pbkdf2.slice(2).find((node) => node.constructed);
  const prfOid = prfNode
    ? oidOf(elementAt(sequenceOf(prfNode, 'PBKDF2 PRF'), 0, 'PBKDF2 PRF OID'), 'PBKDF2 PRF OID')
    : Oid.HMAC_SHA1;
  const digest = PBKDF2_PRFS[prfOid];
  if (digest === undefined) throw unsupported(`PBKDF2 PRF ${prfOid} is not supported`);

  const scheme = sequenceOf(elementAt(pbes2, 1, 'PBES2 encryption scheme'), 'PBES2 encryption scheme');
  const cipherOid = oidOf(elementAt(scheme, 0, 'PBES2 cipher OID'), 'PBES2 cipher OID');
  const cipher = PBES2_CIPHERS[cipherOid];
  if (cipher === undefined) throw unsupported(`PBES2 cipher ${cipherOid} is not supported (AES-CBC or 3DES)`);
  const iv = octetsOf(elementAt(scheme, 1, 'PBES2 IV'), 'PBES2 IV');
  // PBKDF2 takes the password as UTF-8 bytes (Java refuses non-ASCII passwords here; OpenSSL uses UTF-8).
  const key = pbkdf2Sync(Buffer.from(password, 'utf8'), salt, iterations, cipher.keyLength, digest);
  return decipher(cipher.cipher, key, iv, ciphertext);
}

function decipher(cipher: string, key: Buffer, iv: Buffer, ciphertext: Buffer): Buffer {
  let d;
  try {
    d = createDecipheriv(cipher, key, iv);
  } catch (error) {
    throw new KeystoreError(
      KeystoreErrorCode.CORRUPT,
      `cannot set up ${cipher} decryption: IV of ${iv.length} bytes`,
      {
        cause: error,
      },
    );
  }
  try {
    return Buffer.concat([d.update(ciphertext), d.final()]);
  } catch (error) {
    throw new DecryptionFailedError(`${cipher} decryption failed`, { cause: error });
  }
}

function decryptRc2(key: Buffer, bits: number, iv: Buffer, ciphertext: Buffer): Buffer {
  if (iv.length !== 8 || ciphertext.length % 8 !== 0)
    throw new DecryptionFailedError('RC2 input is not whole blocks');
  const cipher = forge.rc2.createDecryptionCipher(forge.util.createBuffer(key.toString('binary')), bits);
  cipher.start(iv.toString('binary'));
  cipher.update(forge.util.createBuffer(ciphertext.toString('binary')));
  if (!cipher.finish()) throw new DecryptionFailedError('RC2 decryption failed');
  return Buffer.from(cipher.output.getBytes(), 'binary');
}

/** An iteration count from the file, within what Java accepts. */
export function iterationsOf(node: Asn1Node, what: string): number {
  const iterations = integerOf(node, what);
  if (iterations < 1 || iterations > MAX_ITERATIONS) {
    throw unsupported(`${what} ${iterations} is outside 1..${MAX_ITERATIONS}`);
  }
  return iterations;
}

const unsupported = (message: string) => new KeystoreError(KeystoreErrorCode.UNSUPPORTED_TYPE, message);
