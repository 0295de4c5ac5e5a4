import type { KeyObject } from 'node:crypto';
import { readFileSync } from 'node:fs';
import {
  importProfileSigningPublicKey,
  profileSigningKeyFingerprint,
} from '../../../../libs/profile-archive/index.js';
import type { Welcome } from '../../../../libs/protocol/index.js';
import type { AgentHome } from '../agent-home.js';
import type { Logger } from '../logger.js';
import { ensureDirectory, writeFileAtomic } from '../atomic-file.js';
import { CREDENTIAL_FILE_MODE, STATE_DIR_MODE } from '../credential-store.js';

export type PinOutcome =
  { kind: 'pinned'; fingerprint: string } | { kind: 'same' } | { kind: 'ignored'; reason: string };

/**
 * Central's profile-signing public key, pinned in `state/profile-signing-key.pem` (0600). The first key
 * received wins: a later welcome with another key is ignored, so whoever answers on central's address
 * later (a spoofed plain listener, a stolen credential) cannot make the agent accept its archives.
 */
export class SigningKeyPin {
  private cached: { pem: string; key: KeyObject } | undefined;

  constructor(private readonly home: AgentHome) {}

  /** The pinned key, or undefined when none was received yet. */
  read(): KeyObject | undefined {
    const pem = this.readPem();
    if (pem === undefined) return undefined;
    if (this.cached?.pem !== pem) this.cached = { pem, key: importProfileSigningPublicKey(pem) };
    return this.cached.key;
  }

  /** Pins the key of a welcome if none is pinned yet; never replaces a pinned one. */
  offer(pem: string): PinOutcome {
    let offered: KeyObject;
    try {
      offered = importProfileSigningPublicKey(pem);
    } catch (error) {
      return {
        kind: 'ignored',
        reason: `central sent an unusable profile-signing key: ${(error as Error).message}`,
      };
    }
    const fingerprint = profileSigningKeyFingerprint(offered);
    let pinned: KeyObject | undefined;
    try {
      pinned = this.read();
    } catch (error) {
      return {
        kind: 'ignored',
        reason: `the pinned profile-signing key cannot be read: ${(error as Error).message}`,
      };
    }
    if (pinned) {
      const pinnedFingerprint = profileSigningKeyFingerprint(pinned);
      return pinnedFingerprint === fingerprint
        ? { kind: 'same' }
        : {
            kind: 'ignored',
            reason: `central sent profile-signing key ${fingerprint.slice(0, 16)}, but ${pinnedFingerprint.slice(0, 16)} is pinned; keeping the pinned key`,
          };
    }
    ensureDirectory(this.home.stateDir, STATE_DIR_MODE);
    writeFileAtomic(this.home.profileSigningKeyFile, pem.trim() + '\n', CREDENTIAL_FILE_MODE);
    return { kind: 'pinned', fingerprint };
  }

  private readPem(): string | undefined {
    try {
      return readFileSync(this.home.profileSigningKeyFile, 'utf8');
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
      throw error;
    }
  }
}

/** Pins central's profile-signing key from the first welcome that carries one; never replaces it. */
export function pinFromWelcome(pin: SigningKeyPin, welcome: Welcome, logger: Logger): void {
  if (welcome.profileSigningKey === undefined) return;
  let outcome;
  try {
    outcome = pin.offer(welcome.profileSigningKey);
  } catch (error) {
    logger.warn(`cannot pin the profile-signing key: ${(error as Error).message}`);
    return;
  }
  if (outcome.kind === 'pinned') {
    logger.info(`pinned central's profile-signing key ${outcome.fingerprint.slice(0, 16)} in state/`);
  } else if (outcome.kind === 'ignored') {
    logger.warn(outcome.reason);
  }
}
