import { generateKeyPairSync } from 'node:crypto';
import {
  exportProfileSigningPrivateKey,
  exportProfileSigningPublicKey,
  generateProfileSigningKey,
  importProfileSigningPrivateKey,
  importProfileSigningPublicKey,
  ProfileArchiveError,
  ProfileArchiveErrorCode as Code,
  profileSigningKeyFingerprint,
  signManifest,
  truststoreMacSalt,
  verifyManifestSignature,
} from './index.js';

const errorOf = (run: () => unknown) => {
  try {
    run();
  } catch (error) {
    if (error instanceof ProfileArchiveError) return error;
    throw error;
  }
  throw new Error('expected a ProfileArchiveError');
};

describe('profile-signing keys', () => {
  const keys = generateProfileSigningKey();
  const manifest = Buffer.from('{\n  "revision": 1\n}\n');

  it('are Ed25519 and sign manifests with 64-byte signatures the public half verifies', () => {
    expect(keys.privateKey.asymmetricKeyType).toBe('ed25519');
    const signature = signManifest(manifest, keys.privateKey);
    expect(signature).toHaveLength(64);
    expect(verifyManifestSignature(manifest, signature, keys.publicKey)).toBe(true);
    expect(
      verifyManifestSignature(Buffer.concat([manifest, Buffer.from(' ')]), signature, keys.publicKey),
    ).toBe(false);
    expect(verifyManifestSignature(manifest, signature, generateProfileSigningKey().publicKey)).toBe(false);
  });

  it('survive a PEM round trip', () => {
    const privatePem = exportProfileSigningPrivateKey(keys.privateKey);
    const publicPem = exportProfileSigningPublicKey(keys.publicKey);
    expect(privatePem).toMatch(/^-----BEGIN PRIVATE KEY-----\n/);
    expect(publicPem).toMatch(/^-----BEGIN PUBLIC KEY-----\n/);
    const signature = signManifest(manifest, importProfileSigningPrivateKey(privatePem));
    expect(verifyManifestSignature(manifest, signature, importProfileSigningPublicKey(publicPem))).toBe(true);
    expect(profileSigningKeyFingerprint(importProfileSigningPublicKey(publicPem))).toBe(
      profileSigningKeyFingerprint(keys.publicKey),
    );
    expect(profileSigningKeyFingerprint(keys.publicKey)).toMatch(/^[0-9a-f]{64}$/);
  });

  it('refuse other PEM keys and text', () => {
    const ec = generateKeyPairSync('ec', { namedCurve: 'P-256' });
    expect(
      errorOf(() =>
        importProfileSigningPublicKey(ec.publicKey.export({ type: 'spki', format: 'pem' }).toString()),
      ),
    ).toMatchObject({
      code: Code.INVALID_INPUT,
      message: 'cannot import a ec public key: the profile-signing key must be an Ed25519 public key',
    });
    expect(
      errorOf(() => importProfileSigningPublicKey(exportProfileSigningPrivateKey(keys.privateKey))),
    ).toMatchObject({
      code: Code.INVALID_INPUT,
      message: 'profile-signing public key is not a PEM public key',
    });
    expect(errorOf(() => importProfileSigningPrivateKey('not a key'))).toMatchObject({
      code: Code.INVALID_INPUT,
      message: 'profile-signing key PEM cannot be read',
    });
  });
});

describe('truststoreMacSalt', () => {
  const der = (byte: number) => Buffer.alloc(50, byte);

  it('is 20 bytes fixed by the aliases and certificates, in order', () => {
    const certs = [
      { alias: 'a', der: der(1) },
      { alias: 'b', der: der(2) },
    ];
    expect(truststoreMacSalt(certs)).toHaveLength(20);
    expect(truststoreMacSalt(certs)).toEqual(truststoreMacSalt(certs.map((c) => ({ ...c }))));
    expect(truststoreMacSalt(certs)).not.toEqual(truststoreMacSalt([...certs].reverse()));
    expect(truststoreMacSalt(certs)).not.toEqual(truststoreMacSalt([{ alias: 'a', der: der(1) }]));
  });

  it('does not let bytes move between alias and certificate unnoticed', () => {
    expect(truststoreMacSalt([{ alias: 'ab', der: Buffer.from('c') }])).not.toEqual(
      truststoreMacSalt([{ alias: 'a', der: Buffer.from('bc') }]),
    );
  });
});
