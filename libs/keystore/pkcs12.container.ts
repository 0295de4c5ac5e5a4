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
import { corrupt, KeystoreError, KeystoreErrorCode } from './keystore.errors.js';
import { DecryptionFailedError, decryptWithPassword, iterationsOf } from './pkcs12.decrypt.js';
import { verifyPkcs12Mac } from './pkcs12.mac.js';
import { MAC_HASHES, Oid } from './pkcs12.oids.js';

/** The attributes of a safe bag that our readers use. */
export interface BagAttributes {
  friendlyName?: string;
  localKeyId?: Buffer;
  /** Java's trustedKeyUsage attribute: keytool's mark of a trustedCertEntry. */
  javaTrusted: boolean;
}

/** One safe bag of a PKCS#12 file, after decryption of the safe contents that held it. */
export interface SafeBag {
  /** Bag type OID (certBag, keyBag, pkcs8ShroudedKeyBag, …); nested SafeContents are flattened. */
  type: string;
  /** The bag's value ([0] EXPLICIT content), not interpreted. */
  value: Asn1Node;
  attributes: BagAttributes;
  /** Where the bag is, for error messages ("PKCS#12 AuthenticatedSafe item 2 (decrypted) bag 1"). */
  what: string;
}

export interface Pkcs12Container {
  bags: SafeBag[];
  /**
   * True when the file had a MAC and it matched. Without one the password was never checked, so a
   * failed decryption later means a wrong password; with one it means damaged data.
   */
  macVerified: boolean;
}

const MAX_NESTING = 4;

/**
 * Opens a PKCS#12 file (version 3, password integrity mode): checks the MAC when there is one, decrypts
 * password-encrypted safe contents and returns every bag in file order. Shared by the truststore and the
 * key store readers, which give the bags their meaning.
 *
 * @throws KeystoreError — WRONG_PASSWORD (with `wrongPasswordMessage`) when the MAC does not match or, in a
 *   file without a MAC, decryption fails; CORRUPT for malformed input; UNSUPPORTED_TYPE for other versions,
 *   public-key modes and unknown algorithms.
 */
export function openPkcs12(bytes: Buffer, password: string, wrongPasswordMessage: string): Pkcs12Container {
  const pfx = sequenceOf(parseDer(bytes, 'PKCS#12 file'), 'PKCS#12 PFX');
  const version = integerOf(elementAt(pfx, 0, 'PKCS#12 version'), 'PKCS#12 version');
  if (version !== 3) throw unsupported(`PKCS#12 version ${version} is not supported (only 3)`);
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
  if (macData !== undefined && !macMatches(macData, authSafe, password)) {
    throw new KeystoreError(KeystoreErrorCode.WRONG_PASSWORD, wrongPasswordMessage);
  }
  const container: Pkcs12Container = { bags: [], macVerified: macData !== undefined };
  const wrongPassword = (cause: unknown) =>
    new KeystoreError(KeystoreErrorCode.WRONG_PASSWORD, wrongPasswordMessage, { cause });

  const contentInfos = sequenceOf(
    parseDer(authSafe, 'PKCS#12 AuthenticatedSafe'),
    'PKCS#12 AuthenticatedSafe',
  );
  contentInfos.forEach((node, index) => {
    const what = `PKCS#12 AuthenticatedSafe item ${index + 1}`;
    const info = contentInfoOf(node, what);
    switch (info.type) {
      case Oid.DATA:
        collectBags(parseSafeContents(octetsOf(info.content, what), what), what, container.bags, 0);
        break;
      case Oid.ENCRYPTED_DATA: {
        const plaintext = decryptEncryptedData(
          info.content,
          what,
          password,
          container.macVerified,
          wrongPassword,
        );
        try {
          collectBags(
            parseSafeContents(plaintext, `${what} (decrypted)`),
            `${what} (decrypted)`,
            container.bags,
            0,
          );
        } catch (error) {
          // A wrong key passes the padding check about once in 256 tries and then yields garbage.
          const garbage = error instanceof KeystoreError && error.code === KeystoreErrorCode.CORRUPT;
          if (garbage && !container.macVerified) throw wrongPassword(error);
          throw error;
        }
        break;
      }
      case Oid.ENVELOPED_DATA:
        throw unsupported('PKCS#12 contents encrypted to a public key (envelopedData) are not supported');
      default:
        throw unsupported(`${what} has content type ${info.type}, which is not supported`);
    }
  });
  return container;
}

function macMatches(macData: Asn1Node, authSafe: Buffer, password: string): boolean {
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
  return verifyPkcs12Mac(hash, password, salt, iterations, authSafe, expected);
}

function decryptEncryptedData(
  node: Asn1Node,
  what: string,
  password: string,
  macVerified: boolean,
  wrongPassword: (cause: unknown) => KeystoreError,
): Buffer {
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
  try {
    return decryptWithPassword(algorithm, ciphertext, password);
  } catch (error) {
    if (!(error instanceof DecryptionFailedError)) throw error;
    if (!macVerified) throw wrongPassword(error);
    throw corrupt(`${what} cannot be decrypted with the password that opened the file`, error);
  }
}

function parseSafeContents(bytes: Buffer, what: string): readonly Asn1Node[] {
  return sequenceOf(parseDer(bytes, `${what} SafeContents`), `${what} SafeContents`);
}

function collectBags(safeBags: readonly Asn1Node[], what: string, out: SafeBag[], depth: number): void {
  safeBags.forEach((node, index) => {
    const bagWhat = `${what} bag ${index + 1}`;
    const fields = sequenceOf(node, bagWhat);
    const type = oidOf(elementAt(fields, 0, `${bagWhat} type`), `${bagWhat} type`);
    const value = explicitOf(elementAt(fields, 1, `${bagWhat} value`), 0, `${bagWhat} value`);
    if (type === Oid.SAFE_CONTENTS_BAG) {
      if (depth >= MAX_NESTING) throw corrupt(`${bagWhat}: SafeContents nested too deeply`);
      collectBags(sequenceOf(value, `${bagWhat} SafeContents`), bagWhat, out, depth + 1);
      return;
    }
    const attributesNode = fields[2];
    const attributes = attributesNode ? attributesOf(attributesNode, bagWhat) : { javaTrusted: false };
    out.push({ type, value, attributes, what: bagWhat });
  });
}

function attributesOf(node: Asn1Node, what: string): BagAttributes {
  const result: BagAttributes = { javaTrusted: false };
  for (const attribute of setOf(node, `${what} attributes`)) {
    const fields = sequenceOf(attribute, `${what} attribute`);
    const type = oidOf(elementAt(fields, 0, `${what} attribute type`), `${what} attribute type`);
    const values = setOf(elementAt(fields, 1, `${what} attribute values`), `${what} attribute values`);
    const first = values[0];
    if (type === Oid.ORACLE_TRUSTED_KEY_USAGE) result.javaTrusted = true;
    else if (first === undefined) continue;
    else if (type === Oid.FRIENDLY_NAME) result.friendlyName = textOf(first, `${what} friendlyName`);
    else if (type === Oid.LOCAL_KEY_ID)
      result.localKeyId = Buffer.from(octetsOf(first, `${what} localKeyId`));
  }
  return result;
}

function contentInfoOf(node: Asn1Node, what: string): { type: string; content: Asn1Node } {
  const fields = sequenceOf(node, what);
  const type = oidOf(elementAt(fields, 0, `${what} content type`), `${what} content type`);
  const content = explicitOf(elementAt(fields, 1, `${what} content`), 0, `${what} content`);
  return { type, content };
}

/** The X.509 DER inside a certBag's value. */
export function certificateOfBag(bag: SafeBag): Buffer {
  const certBag = sequenceOf(bag.value, `${bag.what} CertBag`);
  const certType = oidOf(
    elementAt(certBag, 0, `${bag.what} certificate type`),
    `${bag.what} certificate type`,
  );
  if (certType !== Oid.X509_CERTIFICATE) {
    throw new KeystoreError(
      KeystoreErrorCode.UNSUPPORTED_ENTRY,
      `${bag.what} holds a certificate of type ${certType}; only X.509 is supported`,
    );
  }
  const certificate = explicitOf(
    elementAt(certBag, 1, `${bag.what} certificate`),
    0,
    `${bag.what} certificate`,
  );
  return Buffer.from(octetsOf(certificate, `${bag.what} certificate`));
}

const unsupported = (message: string) => new KeystoreError(KeystoreErrorCode.UNSUPPORTED_TYPE, message);
