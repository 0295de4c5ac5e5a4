import { type Asn1Node, parseDer } from './der.reader.js';
import { elementAt, explicitOf, integerOf, octetsOf, oidOf, sequenceOf } from './der.accessors.js';
import { Oid } from './pkcs12.oids.js';

/** One password-based key derivation a file asks for, with the parameters that set its cost. */
export type KeyDerivation =
  | { what: string; kdf: 'pkcs12' | 'pbkdf2'; iterations: number }
  | { what: string; kdf: 'scrypt'; n: number; r: number; p: number };

const PKCS12_PBE = new Set<string>([
  Oid.PBE_SHA1_3DES,
  Oid.PBE_SHA1_2DES,
  Oid.PBE_SHA1_RC2_128,
  Oid.PBE_SHA1_RC2_40,
  Oid.PBE_SHA1_RC4_128,
  Oid.PBE_SHA1_RC4_40,
]);

/**
 * The key derivations a PKCS#12 file asks for that can be read without its password — the MAC, each
 * encrypted safe and each shrouded key outside one — so their cost can be judged before any is run.
 * (A key inside an encrypted safe is only seen once that safe is decrypted.) Parts that cannot be read are
 * skipped: the reader proper reports damage in words.
 */
export function pkcs12KeyDerivations(bytes: Buffer): KeyDerivation[] {
  const found: KeyDerivation[] = [];
  const pfx = tryRead(() => sequenceOf(parseDer(bytes, 'PKCS#12 file'), 'PKCS#12 PFX'));
  if (!pfx) return found;
  tryRead(() => {
    const mac = sequenceOf(elementAt(pfx, 2, 'PKCS#12 MAC data'), 'PKCS#12 MAC data');
    const iterations = mac[2] ? integerOf(mac[2], 'PKCS#12 MAC iteration count') : 1;
    found.push({ what: 'PKCS#12 MAC', kdf: 'pkcs12', iterations });
  });
  const items = tryRead(() => {
    const authSafe = contentInfoOf(elementAt(pfx, 1, 'authSafe'));
    if (authSafe.type !== Oid.DATA) return [];
    return sequenceOf(
      parseDer(octetsOf(authSafe.content, 'authSafe'), 'AuthenticatedSafe'),
      'AuthenticatedSafe',
    );
  });
  (items ?? []).forEach((node, index) => {
    tryRead(() => {
      const item = contentInfoOf(node);
      if (item.type === Oid.ENCRYPTED_DATA) {
        const info = sequenceOf(elementAt(sequenceOf(item.content, 'EncryptedData'), 1, 'info'), 'info');
        found.push(...derivationsOf(elementAt(info, 1, 'algorithm'), `PKCS#12 encrypted safe ${index + 1}`));
      } else if (item.type === Oid.DATA) {
        const bags = sequenceOf(parseDer(octetsOf(item.content, 'SafeContents'), 'SafeContents'), 'bags');
        for (const bag of bags) {
          const fields = sequenceOf(bag, 'bag');
          if (oidOf(elementAt(fields, 0, 'bag type'), 'bag type') !== Oid.PKCS8_SHROUDED_KEY_BAG) continue;
          const value = explicitOf(elementAt(fields, 1, 'bag value'), 0, 'bag value');
          found.push(...encryptedPrivateKeyDerivations(value, 'PKCS#12 private key'));
        }
      }
    });
  });
  return found;
}

/**
 * The key derivation of a PKCS#8 EncryptedPrivateKeyInfo (DER; `ENCRYPTED PRIVATE KEY` in PEM), read
 * before decrypting it; empty when the bytes are no such structure.
 */
export function encryptedPkcs8KeyDerivations(der: Buffer): KeyDerivation[] {
  return (
    tryRead(() => encryptedPrivateKeyDerivations(parseDer(der, 'EncryptedPrivateKeyInfo'), 'private key')) ??
    []
  );
}

function encryptedPrivateKeyDerivations(node: Asn1Node, what: string): KeyDerivation[] {
  const fields = sequenceOf(node, 'EncryptedPrivateKeyInfo');
  return derivationsOf(elementAt(fields, 0, 'algorithm'), what);
}

/** PBES2 (PBKDF2 or scrypt) and the PKCS#12 PBE schemes; other algorithms derive nothing we know of. */
function derivationsOf(algorithm: Asn1Node, what: string): KeyDerivation[] {
  const fields = sequenceOf(algorithm, 'algorithm');
  const oid = oidOf(elementAt(fields, 0, 'algorithm OID'), 'algorithm OID');
  const params = elementAt(fields, 1, 'algorithm parameters');
  if (PKCS12_PBE.has(oid)) {
    const pbe = sequenceOf(params, 'PBE parameters');
    return [{ what, kdf: 'pkcs12', iterations: integerOf(elementAt(pbe, 1, 'iterations'), 'iterations') }];
  }
  if (oid !== Oid.PBES2) return [];
  const kdf = sequenceOf(elementAt(sequenceOf(params, 'PBES2'), 0, 'PBES2 kdf'), 'PBES2 kdf');
  const kdfOid = oidOf(elementAt(kdf, 0, 'kdf OID'), 'kdf OID');
  const kdfParams = sequenceOf(elementAt(kdf, 1, 'kdf parameters'), 'kdf parameters');
  const int = (index: number) => integerOf(elementAt(kdfParams, index, 'kdf parameter'), 'kdf parameter');
  if (kdfOid === Oid.PBKDF2) return [{ what, kdf: 'pbkdf2', iterations: int(1) }];
  // scrypt-params: salt, costParameter (N), blockSize (r), parallelizationParameter (p), keyLength?
  if (kdfOid === Oid.SCRYPT) return [{ what, kdf: 'scrypt', n: int(1), r: int(2), p: int(3) }];
  return [];
}

function contentInfoOf(node: Asn1Node): { type: string; content: Asn1Node } {
  const fields = sequenceOf(node, 'ContentInfo');
  const content = explicitOf(elementAt(fields, 1, 'content'), 0, 'content');
  return { type: oidOf(elementAt(fields, 0, 'type'), 'type'), content };
}

function tryRead<T>(read: () => T): T | undefined {
  try {
    return read();
  } catch {
    return undefined;
  }
}
