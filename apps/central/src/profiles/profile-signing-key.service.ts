import { Injectable, Logger, type OnApplicationBootstrap } from '@nestjs/common';
import { type KeyObject } from 'node:crypto';
import {
  exportProfileSigningPrivateKey,
  exportProfileSigningPublicKey,
  generateProfileSigningKey,
  importProfileSigningPrivateKey,
  importProfileSigningPublicKey,
  profileSigningKeyFingerprint,
} from '../../../../libs/profile-archive/index.js';
import { SecretBox } from '../crypto/secret-box.js';
import { ProfileSigningKeyRepository } from './profile-signing-key.repository.js';

const KEY_PURPOSE = 'profile-signing-key';

interface SigningKey {
  privateKey: KeyObject;
  publicKeyPem: string;
  fingerprint: string;
}

/**
 * Central's Ed25519 profile-signing key: one per installation, made at the first boot (every node of a
 * cluster converges on the first one stored), its private half sealed under the master key. Agents pin
 * the public half, which `welcome.profileSigningKey` carries.
 */
@Injectable()
export class ProfileSigningKeyService implements OnApplicationBootstrap {
  private readonly logger = new Logger('profiles');
  private key: Promise<SigningKey> | undefined;

  constructor(
    private readonly repo: ProfileSigningKeyRepository,
    private readonly secrets: SecretBox,
  ) {}

  async onApplicationBootstrap(): Promise<void> {
    await this.load();
  }

  /** SPKI PEM of the public key, as agents pin it. */
  async publicKeyPem(): Promise<string> {
    return (await this.load()).publicKeyPem;
  }

  /** Lower-case hex sha256 of the public key: a short name for it in logs and the UI. */
  async fingerprint(): Promise<string> {
    return (await this.load()).fingerprint;
  }

  /** The private key, for signing manifests only. */
  async privateKey(): Promise<KeyObject> {
    return (await this.load()).privateKey;
  }

  private load(): Promise<SigningKey> {
    this.key ??= this.loadOrCreate().catch((error: unknown) => {
      this.key = undefined; // a database hiccup must not stick
      throw error;
    });
    return this.key;
  }

  private async loadOrCreate(): Promise<SigningKey> {
    let stored = await this.repo.find();
    if (!stored) {
      const generated = generateProfileSigningKey();
      const publicKeyPem = exportProfileSigningPublicKey(generated.publicKey);
      await this.repo.insertIfAbsent({
        publicKeyPem,
        privateKeySealed: this.secrets.seal(
          exportProfileSigningPrivateKey(generated.privateKey),
          KEY_PURPOSE,
        ),
      });
      stored = await this.repo.find();
      if (!stored) throw new Error('the profile-signing key could not be stored');
      if (stored.publicKeyPem === publicKeyPem) {
        this.logger.log(
          `created the profile-signing key (${profileSigningKeyFingerprint(generated.publicKey)})`,
        );
      }
    }
    return {
      privateKey: importProfileSigningPrivateKey(
        this.secrets.open(stored.privateKeySealed, KEY_PURPOSE).toString('utf8'),
      ),
      publicKeyPem: stored.publicKeyPem,
      fingerprint: profileSigningKeyFingerprint(importProfileSigningPublicKey(stored.publicKeyPem)),
    };
  }
}
