import { Inject, Injectable } from '@nestjs/common';
import { type KeyObject } from 'node:crypto';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { importPackagePublicKey, packageKeyFingerprint } from '../../../../libs/agent-package/index.js';
import { CENTRAL_CONFIG, type CentralConfig } from '../config/central-config.js';

/** The folder below the data directory whose `*.pem` public keys central accepts package signatures from. */
export const AGENT_PACKAGE_KEYS_DIR = 'agent-package-keys';

export interface TrustedPackageKeys {
  keys: KeyObject[];
  /** Files that are not an Ed25519 public key, with the reason (told in the refusal, never skipped silently). */
  unusable: string[];
  folder: string;
}

/**
 * The publishers' keys: Ed25519 public keys (SPKI PEM) an administrator puts into
 * `<data>/agent-package-keys/` on the central host. Read at each upload, so adding or removing a key
 * needs no restart; a key is not something the admin API can add (a stolen admin session must not be
 * able to make central accept its own builds).
 */
@Injectable()
export class AgentPackageKeys {
  constructor(@Inject(CENTRAL_CONFIG) private readonly config: CentralConfig) {}

  read(): TrustedPackageKeys {
    const folder = join(this.config.dataDir, AGENT_PACKAGE_KEYS_DIR);
    let names: string[];
    try {
      names = readdirSync(folder)
        .filter((n) => n.endsWith('.pem'))
        .sort();
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === 'ENOENT') return { keys: [], unusable: [], folder };
      throw error;
    }
    const keys: KeyObject[] = [];
    const unusable: string[] = [];
    for (const name of names) {
      try {
        keys.push(importPackagePublicKey(readFileSync(join(folder, name), 'utf8')));
      } catch (error) {
        unusable.push(`${name}: ${(error as Error).message}`);
      }
    }
    return { keys, unusable, folder };
  }

  fingerprints(): string[] {
    return this.read().keys.map(packageKeyFingerprint);
  }
}
