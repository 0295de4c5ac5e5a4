import { Injectable } from '@nestjs/common';
import { generateKeyPairSync } from 'node:crypto';
import type acme from 'acme-client';
import { SecretBox } from '../crypto/secret-box.js';
import { loadAcmeClient } from './acme-client.loader.js';
import { AcmeRepository } from './acme.repository.js';

const ACCOUNT_KEY_PURPOSE = 'acme-account-key';

/** Backoff while waiting for the CA to validate and issue: first look after 1 s, at most 10 s apart. */
const BACKOFF = { backoffAttempts: 12, backoffMin: 1000, backoffMax: 10_000 };

/**
 * One ACME account per directory and contact, reused for every order and renewal (CAs rate-limit
 * account creation). Its key is sealed under the master key.
 */
@Injectable()
export class AcmeAccounts {
  constructor(
    private readonly repo: AcmeRepository,
    private readonly secrets: SecretBox,
  ) {}

  /** An acme-client Client registered with the CA; posting an order means agreeing to the CA's terms. */
  async client(directoryUrl: string, contact: string): Promise<acme.Client> {
    const stored = await this.repo.findAccount(directoryUrl, contact);
    const accountKey = stored
      ? this.secrets.open(stored.keyEncrypted, ACCOUNT_KEY_PURPOSE).toString('utf8')
      : newAccountKey();
    const { Client } = await loadAcmeClient();
    const client = new Client({ directoryUrl, accountKey, ...BACKOFF });
    // newAccount with a known key returns the existing account (RFC 8555 §7.3.1), so this is also the lookup.
    await client.createAccount({ termsOfServiceAgreed: true, contact: [`mailto:${contact}`] });
    const accountUrl = client.getAccountUrl();
    if (!stored || stored.accountUrl !== accountUrl) {
      await this.repo.saveAccount({
        directoryUrl,
        contact,
        keyEncrypted: stored?.keyEncrypted ?? this.secrets.seal(accountKey, ACCOUNT_KEY_PURPOSE),
        accountUrl,
      });
    }
    return client;
  }
}

function newAccountKey(): string {
  const { privateKey } = generateKeyPairSync('ec', { namedCurve: 'prime256v1' });
  return privateKey.export({ type: 'pkcs8', format: 'pem' }).toString();
}
