import { Asn1Class, type Asn1Node, parseDer } from './der.reader.js';
import {
  elementAt,
  explicitOf,
  implicitOctets,
  integerOf,
  octetsOf,
  oidOf,
  sequenceOf,
  setOf,
  textOf,
} from './der.accessors.js';
import { sequence } from './der.writer.js';
import { corrupt, KeystoreError, KeystoreErrorCode } from './keystore.errors.js';
import { DecryptionFailedError, decryptWithPassword, iterationsOf } from './pkcs12.decrypt.js';
import { verifyPkcs12Mac } from './pkcs12.mac.js';
import { MAC_HASHES, Oid } from './pkcs12.oids.js';

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
  const pfx = sequenceOf(parseDer(bytes, 'PKCS#12 file'), 'PKCS#12 PFX');
  const version = integerOf(elementAt(pfx, 0, 'PKCS#12 version'), 'PKCS#12 version');
  if (version !== 3) {
    throw unsupported(`PKCS#12 version ${version} is not supported (only 3)`);
  }
  const authSafeInfo = contentInfoOf(elementAt(pfx, 1, 'PKCS#12 authSafe'), 'PKCS#12 authSafe');
  if (authSafeInfo.type !== Oid.DATA) {
    throw unsupported(
      authSafeInfo.type === Oid.SIGNED_DATA
        ? 'PKCS#12 files protected by a signature (public-key integrity mode) are not supported'
        : `PKCS#12 authSafe of content type ${authSafeInfo.type} is not supported`,
    );
  }
  const authSafe = octetsOf(authSafeInfo.content, 'PKCS#12 authSafe data');
  const macData = pfx[2];
  if (macData !== undefined) verifyMac(macData, authSafe, password);
  const reader = new BagReader(password, macData !== undefined);

  const contentInfos = sequenceOf(
    parseDer(authSafe, 'PKCS#12 AuthenticatedSafe'),
    'PKCS#12 AuthenticatedSafe',
  );
  contentInfos.forEach((node, index) => {
    const what = `PKCS#12 AuthenticatedSafe item ${index + 1}`;
    const info = contentInfoOf(node, what);
    switch (info.type) {
      case Oid.DATA:
        reader.readSafeContents(octetsOf(info.content, what), what, 0);
        break;
      case Oid.ENCRYPTED_DATA:
        reader.readEncryptedData(info.content, what);
        break;
      case Oid.ENVELOPED_DATA:
        throw unsupported('PKCS#12 contents encrypted to a public key (envelopedData) are not supported');
      default:
        throw unsupported(`${what} has content type ${info.type}, which is not supported`);
    }
  });
  return reader.contents;
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

class BagReader {
  readonly contents: Pkcs12KeyStoreContents = { keys: [], certificates: [] };

  constructor(
    private readonly password: string,
    private readonly macVerified: boolean,
  ) {}

  /**
   * Decrypts an EncryptedData item and reads its bags. Without a verified MAC the password was never
   * checked, so a failed decryption means a wrong password; with one it means damaged data.
   */
  readEncryptedData(node: Asn1Node, what: string): void {
    const encryptedData = sequenceOf(node, `${what} EncryptedData`);
    const info = sequenceOf(
      elementAt(encryptedData, 1, `${what} EncryptedContentInfo`),
      `${what} EncryptedContentInfo`,
    );
    const algorithm = elementAt(info, 1, `${what} encryption algorithm`);
    const content = info[2];
    if (content === undefined || content.cls !== Asn1Class.CONTEXT || content.tagNumber !== 0) {
      throw corrupt(`${what} has no encrypted content`);
    }
    const ciphertext = implicitOctets(content, `${what} encrypted content`);
    let plaintext: Buffer;
    try {
      plaintext = decryptWithPassword(algorithm, ciphertext, this.password);
    } catch (error) {
      if (!(error instanceof DecryptionFailedError)) throw error;
      if (!this.macVerified) throw wrongPassword(error);
      throw corrupt(`${what} cannot be decrypted with the password that opened the file`, error);
    }
    try {
      this.readSafeContents(plaintext, `${what} (decrypted)`, 0);
    } catch (error) {
      // A wrong key passes the padding check about once in 256 tries and then yields garbage.
      const garbage = error instanceof KeystoreError && error.code === KeystoreErrorCode.CORRUPT;
      if (garbage && !this.macVerified) throw wrongPassword(error);
      throw error;
    }
  }

  readSafeContents(bytes: Buffer, what: string, depth: number): void {
    this.readBags(sequenceOf(parseDer(bytes, `${what} SafeContents`), `${what} SafeContents`), what, depth);
  }

  private readBags(safeBags: readonly Asn1Node[], what: string, depth: number): void {
    safeBags.forEach((node, index) => {
      const bagWhat = `${what} bag ${index + 1}`;
      const fields = sequenceOf(node, bagWhat);
      const type = oidOf(elementAt(fields, 0, `${bagWhat} type`), `${bagWhat} type`);
      const value = explicitOf(elementAt(fields, 1, `${bagWhat} value`), 0, `${bagWhat} value`);
      const attributesNode = fields[2];
      const attributes = attributesNode ? attributesOf(attributesNode, bagWhat) : {};
      switch (type) {
        case Oid.CERT_BAG:
          this.contents.certificates.push({ der: certificateOf(value, bagWhat), ...attributes });
          break;
        case Oid.KEY_BAG:
          this.contents.keys.push({ pkcs8Der: privateKeyInfoOf(value, bagWhat), ...attributes });
          break;
        case Oid.PKCS8_SHROUDED_KEY_BAG: {
          const pkcs8Der = decryptShroudedKey(value, bagWhat, this.password, this.macVerified);
          this.contents.keys.push({ pkcs8Der, ...attributes });
          break;
        }
        case Oid.SAFE_CONTENTS_BAG:
          if (depth >= 4) throw corrupt(`${bagWhat}: SafeContents nested too deeply`);
          this.readBags(sequenceOf(value, `${bagWhat} SafeContents`), bagWhat, depth + 1);
          break;
        default:
        // CRLs, secrets and unknown bags play no part in a server identity.
      }
    });
  }
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

function certificateOf(value: Asn1Node, what: string): Buffer {
  const certBag = sequenceOf(value, `${what} CertBag`);
  const certType = oidOf(elementAt(certBag, 0, `${what} certificate type`), `${what} certificate type`);
  if (certType !== Oid.X509_CERTIFICATE) {
    throw new KeystoreError(
      KeystoreErrorCode.UNSUPPORTED_ENTRY,
      `${what} holds a certificate of type ${certType}; only X.509 is supported`,
    );
  }
  const certificate = explicitOf(elementAt(certBag, 1, `${what} certificate`), 0, `${what} certificate`);
  return Buffer.from(octetsOf(certificate, `${what} certificate`));
}

/** A PrivateKeyInfo node encoded again as a whole (the reader keeps only its content). */
function privateKeyInfoOf(node: Asn1Node, what: string): Buffer {
  sequenceOf(node, `${what} PrivateKeyInfo`);
  return sequence(node.content);
}

function attributesOf(node: Asn1Node, what: string): { friendlyName?: string; localKeyId?: Buffer } {
  const result: { friendlyName?: string; localKeyId?: Buffer } = {};
  for (const attribute of setOf(node, `${what} attributes`)) {
    const fields = sequenceOf(attribute, `${what} attribute`);
    const type = oidOf(elementAt(fields, 0, `${what} attribute type`), `${what} attribute type`);
    const values = setOf(elementAt(fields, 1, `${what} attribute values`), `${what} attribute values`);
    const first = values[0];
    if (first === undefined) continue;
    if (type === Oid.FRIENDLY_NAME) result.friendlyName = textOf(first, `${what} friendlyName`);
    else if (type === Oid.LOCAL_KEY_ID)
      result.localKeyId = Buffer.from(octetsOf(first, `${what} localKeyId`));
  }
  return result;
}

function verifyMac(macData: Asn1Node, authSafe: Buffer, password: string): void {
  const fields = sequenceOf(macData, 'PKCS#12 MAC data');
  const digestInfo = sequenceOf(elementAt(fields, 0, 'PKCS#12 MAC'), 'PKCS#12 MAC');
  const algorithm = sequenceOf(elementAt(digestInfo, 0, 'PKCS#12 MAC algorithm'), 'PKCS#12 MAC algorithm');
  const oid = oidOf(elementAt(algorithm, 0, 'PKCS#12 MAC algorithm OID'), 'PKCS#12 MAC algorithm OID');
  const hash = MAC_HASHES[oid];
  if (hash === undefined) {
    throw unsupported(`PKCS#12 MAC algorithm ${oid} is not supported (supported: HMAC with SHA-1 or SHA-2)`);
  }
  const expected = octetsOf(elementAt(digestInfo, 1, 'PKCS#12 MAC value'), 'PKCS#12 MAC value');
  const salt = octetsOf(elementAt(fields, 1, 'PKCS#12 MAC salt'), 'PKCS#12 MAC salt');
  const iterationsNode = fields[2];
  const iterations = iterationsNode ? iterationsOf(iterationsNode, 'PKCS#12 MAC iteration count') : 1;
  if (!verifyPkcs12Mac(hash, password, salt, iterations, authSafe, expected)) {
    throw new KeystoreError(KeystoreErrorCode.WRONG_PASSWORD, KEYSTORE_WRONG_PASSWORD_MESSAGE);
  }
}

function contentInfoOf(node: Asn1Node, what: string): { type: string; content: Asn1Node } {
  const fields = sequenceOf(node, what);
  const type = oidOf(elementAt(fields, 0, `${what} content type`), `${what} content type`);
  const content = explicitOf(elementAt(fields, 1, `${what} content`), 0, `${what} content`);
  return { type, content };
}

const wrongPassword = (cause: unknown) =>
  new KeystoreError(KeystoreErrorCode.WRONG_PASSWORD, KEYSTORE_WRONG_PASSWORD_MESSAGE, { cause });

const unsupported = (message: string) => new KeystoreError(KeystoreErrorCode.UNSUPPORTED_TYPE, message);
