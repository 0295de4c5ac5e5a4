import {
  createHash,
  createPrivateKey,
  createPublicKey,
  generateKeyPairSync,
  type KeyObject,
  sign,
  verify,
} from 'node:crypto';
import { ProfileArchiveError, ProfileArchiveErrorCode } from './profile-archive.errors.js';

/** Central's profile-signing key pair (Ed25519): the private half signs manifests, agents pin the public half. */
export interface ProfileSigningKeyPair {
  privateKey: KeyObject;
  publicKey: KeyObject;
}

/** Creates a new Ed25519 profile-signing key pair. */
export function generateProfileSigningKey(): ProfileSigningKeyPair {
  return generateKeyPairSync('ed25519');
}

/** PKCS#8 PEM of the private key (central keeps it encrypted at rest, docs/design.md §2). */
export function exportProfileSigningPrivateKey(privateKey: KeyObject): string {
  requireEd25519(privateKey, 'private', 'export');
  return privateKey.export({ type: 'pkcs8', format: 'pem' }).toString();
}

/** SPKI PEM of the public key, as handed to agents to pin at enrollment. */
export function exportProfileSigningPublicKey(publicKey: KeyObject): string {
  requireEd25519(publicKey, 'public', 'export');
  return publicKey.export({ type: 'spki', format: 'pem' }).toString();
}

/**
 * Reads a PKCS#8 PEM private key.
 *
 * @throws ProfileArchiveError INVALID_INPUT when the PEM does not hold an Ed25519 private key.
 */
export function importProfileSigningPrivateKey(pem: string): KeyObject {
  return requireEd25519(
    parseKey(() => createPrivateKey(pem)),
    'private',
    'import',
  );
}

/**
 * Reads an SPKI PEM public key.
 *
 * @throws ProfileArchiveError INVALID_INPUT when the PEM does not hold an Ed25519 public key.
 */
export function importProfileSigningPublicKey(pem: string): KeyObject {
  if (!pem.includes('PUBLIC KEY-----')) {
    throw new ProfileArchiveError(
      ProfileArchiveErrorCode.INVALID_INPUT,
      'profile-signing public key is not a PEM public key',
    );
  }
  return requireEd25519(
    parseKey(() => createPublicKey(pem)),
    'public',
    'import',
  );
}

/** Lower-case hex sha256 of the public key's SPKI DER: a short name for the key in logs and the UI. */
export function profileSigningKeyFingerprint(publicKey: KeyObject): string {
  requireEd25519(publicKey, 'public', 'fingerprint');
  return createHash('sha256')
    .update(publicKey.export({ type: 'spki', format: 'der' }))
    .digest('hex');
}

/** The Ed25519 signature (64 bytes) of the exact manifest bytes. */
export function signManifest(manifestJson: Buffer, privateKey: KeyObject): Buffer {
  requireEd25519(privateKey, 'private', 'sign with');
  return sign(null, manifestJson, privateKey);
}

/** Whether `signature` is the pinned key's Ed25519 signature of exactly these manifest bytes. */
export function verifyManifestSignature(
  manifestJson: Buffer,
  signature: Buffer,
  publicKey: KeyObject,
): boolean {
  requireEd25519(publicKey, 'public', 'verify with');
  return verify(null, manifestJson, publicKey, signature);
}

function parseKey(parse: () => KeyObject): KeyObject {
  try {
    return parse();
  } catch (error) {
    throw new ProfileArchiveError(
      ProfileArchiveErrorCode.INVALID_INPUT,
      'profile-signing key PEM cannot be read',
      {
        cause: error,
      },
    );
  }
}

/** Ed25519 only: a different algorithm or the wrong half of the pair is a wiring mistake worth a clear error. */
export function requireEd25519(key: KeyObject, type: 'private' | 'public', action: string): KeyObject {
  if (key.type !== type || key.asymmetricKeyType !== 'ed25519') {
    throw new ProfileArchiveError(
      ProfileArchiveErrorCode.INVALID_INPUT,
      `cannot ${action} a ${key.asymmetricKeyType ?? key.type} ${key.type} key: the profile-signing key must be an Ed25519 ${type} key`,
    );
  }
  return key;
}
