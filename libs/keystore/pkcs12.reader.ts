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
import { Asn1Class, type Asn1Node, parseDer } from './der.reader.js';
import { corrupt, KeystoreError, KeystoreErrorCode, WRONG_PASSWORD_MESSAGE } from './keystore.errors.js';
import { DecryptionFailedError, decryptWithPassword, iterationsOf } from './pkcs12.decrypt.js';
import { verifyPkcs12Mac } from './pkcs12.mac.js';
import { MAC_HASHES, Oid } from './pkcs12.oids.js';
import type { TruststoreContents } from './truststore.types.js';

interface SafeBag {
  kind: 'certificate' | 'key' | 'other';
  der?: Buffer;
  friendlyName?: string;
  javaTrusted: boolean;
}

/**
 * Reads the trusted certificates of a PKCS#12 file after checking its MAC (when it has one).
 *
 * Which certificate bags are trusted certificates: those carrying Java's trustedKeyUsage attribute (what
 * keytool writes); in a file with no such bag and no private key, every certificate bag (what
 * `openssl pkcs12 -export -nokeys` writes). Certificates of private-key entries are skipped. Aliases are
 * the bags' friendly names; a bag without one gets its 1-based position among the trusted certificates,
 * as Java numbers unnamed entries.
 */
export function readPkcs12(bytes: Buffer, password: string): TruststoreContents {
  const pfx = sequenceOf(parseDer(bytes, 'PKCS#12 file'), 'PKCS#12 PFX');
  const version = integerOf(elementAt(pfx, 0, 'PKCS#12 version'), 'PKCS#12 version');
  if (version !== 3) {
    throw new KeystoreError(
      KeystoreErrorCode.UNSUPPORTED_TYPE,
      `PKCS#12 version ${version} is not supported (only 3)`,
    );
  }
  const authSafeInfo = contentInfoOf(elementAt(pfx, 1, 'PKCS#12 authSafe'), 'PKCS#12 authSafe');
  if (authSafeInfo.type !== Oid.DATA) {
    throw new KeystoreError(
      KeystoreErrorCode.UNSUPPORTED_TYPE,
      authSafeInfo.type === Oid.SIGNED_DATA
        ? 'PKCS#12 files protected by a signature (public-key integrity mode) are not supported'
        : `PKCS#12 authSafe of content type ${authSafeInfo.type} is not supported`,
    );
  }
  const authSafe = octetsOf(authSafeInfo.content, 'PKCS#12 authSafe data');
  const macData = pfx[2];
  if (macData !== undefined) verifyMac(macData, authSafe, password);
  const macVerified = macData !== undefined;

  const bags: SafeBag[] = [];
  const contentInfos = sequenceOf(
    parseDer(authSafe, 'PKCS#12 AuthenticatedSafe'),
    'PKCS#12 AuthenticatedSafe',
  );
  contentInfos.forEach((node, index) => {
    const what = `PKCS#12 AuthenticatedSafe item ${index + 1}`;
    const info = contentInfoOf(node, what);
    switch (info.type) {
      case Oid.DATA:
        collectBags(parseSafeContents(octetsOf(info.content, what), what), what, bags, 0);
        break;
      case Oid.ENCRYPTED_DATA:
        bags.push(...readEncryptedData(info.content, what, password, macVerified));
        break;
      case Oid.ENVELOPED_DATA:
        throw new KeystoreError(
          KeystoreErrorCode.UNSUPPORTED_TYPE,
          'PKCS#12 contents encrypted to a public key (envelopedData) are not supported',
        );
      default:
        throw new KeystoreError(
          KeystoreErrorCode.UNSUPPORTED_TYPE,
          `${what} has content type ${info.type}, which is not supported`,
        );
    }
  });
  return trustedCertificatesOf(bags);
}

function trustedCertificatesOf(bags: SafeBag[]): TruststoreContents {
  const certificateBags = bags.filter((bag) => bag.kind === 'certificate');
  const keyCount = bags.filter((bag) => bag.kind === 'key').length;
  const javaTrusted = certificateBags.filter((bag) => bag.javaTrusted);
  const trusted = javaTrusted.length > 0 ? javaTrusted : keyCount === 0 ? certificateBags : [];
  return {
    certificates: trusted.map((bag, index) => ({
      alias: bag.friendlyName ?? String(index + 1),
      der: bag.der!,
    })),
    skippedEntries: bags.length - certificateBags.length,
  };
}

function verifyMac(macData: Asn1Node, authSafe: Buffer, password: string): void {
  const fields = sequenceOf(macData, 'PKCS#12 MAC data');
  const digestInfo = sequenceOf(elementAt(fields, 0, 'PKCS#12 MAC'), 'PKCS#12 MAC');
  const algorithm = sequenceOf(elementAt(digestInfo, 0, 'PKCS#12 MAC algorithm'), 'PKCS#12 MAC algorithm');
  const oid = oidOf(elementAt(algorithm, 0, 'PKCS#12 MAC algorithm OID'), 'PKCS#12 MAC algorithm OID');
  const hash = MAC_HASHES[oid];
  if (hash === undefined) {
    throw new KeystoreError(
      KeystoreErrorCode.UNSUPPORTED_TYPE,
      `PKCS#12 MAC algorithm ${oid} is not supported (supported: HMAC with SHA-1 or SHA-2)`,
    );
  }
  const expected = octetsOf(elementAt(digestInfo, 1, 'PKCS#12 MAC value'), 'PKCS#12 MAC value');
  const salt = octetsOf(elementAt(fields, 1, 'PKCS#12 MAC salt'), 'PKCS#12 MAC salt');
  const iterationsNode = fields[2];
  const iterations = iterationsNode ? iterationsOf(iterationsNode, 'PKCS#12 MAC iteration count') : 1;
  if (!verifyPkcs12Mac(hash, password, salt, iterations, authSafe, expected)) {
    throw new KeystoreError(KeystoreErrorCode.WRONG_PASSWORD, WRONG_PASSWORD_MESSAGE);
  }
}

/**
 * Decrypts an EncryptedData item and reads its bags. Without a MAC the password was never checked, so a
 * failed decryption means a wrong password; with a verified MAC it means damaged data.
 */
function readEncryptedData(node: Asn1Node, what: string, password: string, macVerified: boolean): SafeBag[] {
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
  const wrongPassword = (cause: unknown) =>
    new KeystoreError(KeystoreErrorCode.WRONG_PASSWORD, WRONG_PASSWORD_MESSAGE, { cause });
  let plaintext: Buffer;
  try {
    plaintext = decryptWithPassword(algorithm, ciphertext, password);
  } catch (error) {
    if (!(error instanceof DecryptionFailedError)) throw error;
    if (!macVerified) throw wrongPassword(error);
    throw corrupt(`${what} cannot be decrypted with the password that opened the file`, error);
  }
  const bags: SafeBag[] = [];
  try {
    collectBags(parseSafeContents(plaintext, `${what} (decrypted)`), `${what} (decrypted)`, bags, 0);
  } catch (error) {
    // A wrong key passes the padding check about once in 256 tries and then yields garbage.
    const garbage = error instanceof KeystoreError && error.code === KeystoreErrorCode.CORRUPT;
    if (garbage && !macVerified) throw wrongPassword(error);
    throw error;
  }
  return bags;
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
    const attributesNode = fields[2];
    const attributes = attributesNode ? attributesOf(attributesNode, bagWhat) : { javaTrusted: false };
    switch (type) {
      case Oid.CERT_BAG: {
        const certBag = sequenceOf(value, `${bagWhat} CertBag`);
        const certType = oidOf(
          elementAt(certBag, 0, `${bagWhat} certificate type`),
          `${bagWhat} certificate type`,
        );
        if (certType !== Oid.X509_CERTIFICATE) {
          throw new KeystoreError(
            KeystoreErrorCode.UNSUPPORTED_ENTRY,
            `${bagWhat} holds a certificate of type ${certType}; only X.509 is supported`,
          );
        }
        const certificate = explicitOf(
          elementAt(certBag, 1, `${bagWhat} certificate`),
          0,
          `${bagWhat} certificate`,
        );
        const der = Buffer.from(octetsOf(certificate, `${bagWhat} certificate`));
        out.push({ kind: 'certificate', der, ...attributes });
        break;
      }
      case Oid.KEY_BAG:
      case Oid.PKCS8_SHROUDED_KEY_BAG:
        out.push({ kind: 'key', ...attributes });
        break;
      case Oid.SAFE_CONTENTS_BAG:
        if (depth >= 4) throw corrupt(`${bagWhat}: SafeContents nested too deeply`);
        collectBags(sequenceOf(value, `${bagWhat} SafeContents`), bagWhat, out, depth + 1);
        break;
      default:
        // CRLs, secrets and unknown bags have no place in a truststore read.
        out.push({ kind: 'other', ...attributes });
    }
  });
}

function attributesOf(node: Asn1Node, what: string): { friendlyName?: string; javaTrusted: boolean } {
  const result: { friendlyName?: string; javaTrusted: boolean } = { javaTrusted: false };
  for (const attribute of setOf(node, `${what} attributes`)) {
    const fields = sequenceOf(attribute, `${what} attribute`);
    const type = oidOf(elementAt(fields, 0, `${what} attribute type`), `${what} attribute type`);
    const values = setOf(elementAt(fields, 1, `${what} attribute values`), `${what} attribute values`);
    const first = values[0];
    if (type === Oid.ORACLE_TRUSTED_KEY_USAGE) result.javaTrusted = true;
    else if (type === Oid.FRIENDLY_NAME && first) result.friendlyName = textOf(first, `${what} friendlyName`);
  }
  return result;
}

function contentInfoOf(node: Asn1Node, what: string): { type: string; content: Asn1Node } {
  const fields = sequenceOf(node, what);
  const type = oidOf(elementAt(fields, 0, `${what} content type`), `${what} content type`);
  const content = explicitOf(elementAt(fields, 1, `${what} content`), 0, `${what} content`);
  return { type, content };
}
