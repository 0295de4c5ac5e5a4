import { type Asn1Node, parseDer } from './der.reader.js';
import { elementAt, integerOf, octetsOf, sequenceOf } from './der.accessors.js';
import { sequence } from './der.writer.js';
import { corrupt, KeystoreError, KeystoreErrorCode } from './keystore.errors.js';
import { certificateOfBag, openPkcs12 } from './pkcs12.container.js';
import { DecryptionFailedError, decryptWithPassword } from './pkcs12.decrypt.js';
import { Oid } from './pkcs12.oids.js';

/** A private key found in a PKCS#12 key store, decrypted. */
export interface Pkcs12PrivateKey {
  /** The unencrypted PKCS#8 PrivateKeyInfo, DER. */
  pkcs8Der: Buffer;
  /** The bag's localKeyId attribute: the certificate bag with the same value holds this key's certificate. */
  localKeyId?: Buffer;
  friendlyName?: string;
}

/** A certificate found in a PKCS#12 key store, byte for byte as stored. */
export interface Pkcs12Certificate {
  der: Buffer;
  localKeyId?: Buffer;
  friendlyName?: string;
}

export interface Pkcs12KeyStoreContents {
  keys: Pkcs12PrivateKey[];
  certificates: Pkcs12Certificate[];
}

/** The message of WRONG_PASSWORD from this reader: a MAC cannot tell a wrong password from tampering. */
export const KEYSTORE_WRONG_PASSWORD_MESSAGE = 'PKCS#12 password is wrong (or the file was altered)';

/**
 * Reads the private keys and certificates of a PKCS#12 key store (`.pfx`, `.p12`), in file order, after
 * checking its MAC when it has one.
 *
 * Reads keys from shrouded key bags (PBES2 with AES or 3DES, the PKCS#12 3DES and RC2 schemes) and plain
 * key bags; safe contents encrypted the same ways or not at all, including the RC2-40 of legacy Windows and
 * `openssl pkcs12 -export -legacy` files. Nothing is checked about what the keys and certificates are.
 *
 * @throws KeystoreError — WRONG_PASSWORD when the MAC does not match (or, in a file without a MAC, when
 *   decryption fails); CORRUPT for truncated or malformed input; UNSUPPORTED_TYPE for a file that is not
 *   PKCS#12 version 3 or uses an algorithm this library does not implement; UNSUPPORTED_ENTRY for a
 *   non-X.509 certificate bag.
 */
export function readPkcs12KeyStore(bytes: Buffer, password: string): Pkcs12KeyStoreContents {
  const { bags, macVerified } = openPkcs12(bytes, password, KEYSTORE_WRONG_PASSWORD_MESSAGE);
  const contents: Pkcs12KeyStoreContents = { keys: [], certificates: [] };
  for (const bag of bags) {
    const { friendlyName, localKeyId } = bag.attributes;
    const named = { ...(friendlyName !== undefined && { friendlyName }), ...(localKeyId && { localKeyId }) };
    switch (bag.type) {
      case Oid.CERT_BAG:
        contents.certificates.push({ der: certificateOfBag(bag), ...named });
        break;
      case Oid.KEY_BAG:
        contents.keys.push({ pkcs8Der: privateKeyInfoOf(bag.value, bag.what), ...named });
        break;
      case Oid.PKCS8_SHROUDED_KEY_BAG:
        contents.keys.push({
          pkcs8Der: decryptShroudedKey(bag.value, bag.what, password, macVerified),
          ...named,
        });
        break;
      default:
      // CRLs, secrets and unknown bags play no part in a server identity.
    }
  }
  return contents;
}

/**
 * Decrypts a PKCS#8 EncryptedPrivateKeyInfo (DER) with the PBES2 and PKCS#12 PBE schemes this library
 * knows, including RC2 that Node's OpenSSL 3 lacks; returns the PrivateKeyInfo DER.
 *
 * @throws KeystoreError — WRONG_PASSWORD when decryption fails its padding check or yields no
 *   PrivateKeyInfo; UNSUPPORTED_TYPE for an unknown algorithm; CORRUPT for malformed input.
 */
export function decryptPkcs8PrivateKey(encryptedPrivateKeyInfo: Buffer, password: string): Buffer {
  const node = parseDer(encryptedPrivateKeyInfo, 'encrypted private key');
  return decryptShroudedKey(node, 'encrypted private key', password, false);
}

/** The PrivateKeyInfo inside an EncryptedPrivateKeyInfo, checked to be one. */
function decryptShroudedKey(node: Asn1Node, what: string, password: string, macVerified: boolean): Buffer {
  const fields = sequenceOf(node, `${what} EncryptedPrivateKeyInfo`);
  const algorithm = elementAt(fields, 0, `${what} encryption algorithm`);
  const ciphertext = octetsOf(elementAt(fields, 1, `${what} encrypted key`), `${what} encrypted key`);
  let plaintext: Buffer;
  try {
    plaintext = decryptWithPassword(algorithm, ciphertext, password);
    // PrivateKeyInfo: SEQUENCE { INTEGER version, AlgorithmIdentifier, OCTET STRING key, ... }.
    const info = sequenceOf(parseDer(plaintext, `${what} PrivateKeyInfo`), `${what} PrivateKeyInfo`);
    integerOf(elementAt(info, 0, `${what} PrivateKeyInfo version`), `${what} PrivateKeyInfo version`);
    sequenceOf(elementAt(info, 1, `${what} key algorithm`), `${what} key algorithm`);
    octetsOf(elementAt(info, 2, `${what} private key`), `${what} private key`);
  } catch (error) {
    const garbage =
      error instanceof DecryptionFailedError ||
      (error instanceof KeystoreError && error.code === KeystoreErrorCode.CORRUPT);
    if (!garbage) throw error;
    if (!macVerified) throw wrongPassword(error);
    throw corrupt(`${what} cannot be decrypted with the password that opened the file`, error);
  }
  return plaintext;
}

/** A PrivateKeyInfo node encoded again as a whole (the reader keeps only its content). */
function privateKeyInfoOf(node: Asn1Node, what: string): Buffer {
  sequenceOf(node, `${what} PrivateKeyInfo`);
  return sequence(node.content);
}

const wrongPassword = (cause: unknown) =>
  new KeystoreError(KeystoreErrorCode.WRONG_PASSWORD, KEYSTORE_WRONG_PASSWORD_MESSAGE, { cause });
