import { createHash, createPrivateKey, createPublicKey, type KeyObject, sign, verify } from 'node:crypto';

/** The detached signature of a package manifest: Ed25519, 64 bytes, over the manifest's exact bytes. */
export const PACKAGE_SIGNATURE_BYTES = 64;

/** Reads an Ed25519 private key (PKCS#8 PEM), naming what is wrong otherwise. */
export function importPackageSigningPrivateKey(pem: string): KeyObject {
  let key: KeyObject;
  try {
    key = createPrivateKey(pem);
  } catch (error) {
    throw new Error(`the package-signing key cannot be read: ${(error as Error).message}`);
  }
  if (key.asymmetricKeyType !== 'ed25519')
    throw new Error(`the package-signing key is ${key.asymmetricKeyType ?? 'unknown'}, not Ed25519`);
  return key;
}

/** Reads an Ed25519 public key (SPKI PEM), naming what is wrong otherwise. */
export function importPackagePublicKey(pem: string): KeyObject {
  let key: KeyObject;
  try {
    key = createPublicKey(pem);
  } catch (error) {
    throw new Error(`not a PEM public key: ${(error as Error).message}`);
  }
  if (key.type !== 'public' || key.asymmetricKeyType !== 'ed25519')
    throw new Error(`a ${key.asymmetricKeyType ?? 'unknown'} ${key.type} key, not an Ed25519 public key`);
  return key;
}

/** Lower-case hex sha256 of the public key's SPKI DER: how logs and answers name a key. */
export function packageKeyFingerprint(publicKey: KeyObject): string {
  return createHash('sha256')
    .update(publicKey.export({ type: 'spki', format: 'der' }))
    .digest('hex');
}

export function signPackageManifest(manifestBytes: Buffer, privateKey: KeyObject): Buffer {
  return sign(null, manifestBytes, privateKey);
}

/** The first of `keys` whose signature this is, or undefined. */
export function verifyPackageManifest(
  manifestBytes: Buffer,
  signature: Buffer,
  keys: readonly KeyObject[],
): KeyObject | undefined {
  if (signature.length !== PACKAGE_SIGNATURE_BYTES) return undefined;
  return keys.find((key) => verify(null, manifestBytes, key, signature));
}
