import { Injectable } from '@nestjs/common';
import { DataSource } from 'typeorm';
import { queryRow } from '../database/typed-query.js';

export interface StoredSigningKey {
  publicKeyPem: string;
  privateKeySealed: string;
}

@Injectable()
export class ProfileSigningKeyRepository {
  constructor(private readonly db: DataSource) {}

  async find(): Promise<StoredSigningKey | undefined> {
    const [row] = await this.db.query(
      'SELECT public_key_pem, private_key_encrypted FROM profile_signing_key WHERE id = 1',
    );
    if (!row) return undefined;
    const r = row as Record<string, string>;
    return { publicKeyPem: r.public_key_pem!, privateKeySealed: r.private_key_encrypted! };
  }

  /**
   * The public half and when it was made, read before migrations run (the boot log names the
   * installation): undefined in a database without the table (nothing installed yet) or without a key.
   */
  async publicHalf(): Promise<{ publicKeyPem: string; createdAt: Date } | undefined> {
    const table = await queryRow<{ present: boolean }>(
      this.db,
      `SELECT to_regclass('profile_signing_key') IS NOT NULL AS present`,
    );
    if (!table?.present) return undefined;
    return queryRow<{ publicKeyPem: string; createdAt: Date }>(
      this.db,
      `SELECT public_key_pem AS "publicKeyPem", created_at AS "createdAt" FROM profile_signing_key WHERE id = 1`,
    );
  }

  /** Stores the key unless another node stored one first; the caller re-reads to use the winner. */
  async insertIfAbsent(key: StoredSigningKey): Promise<void> {
    await this.db.query(
      `INSERT INTO profile_signing_key (id, public_key_pem, private_key_encrypted) VALUES (1, $1, $2)
       ON CONFLICT (id) DO NOTHING`,
      [key.publicKeyPem, key.privateKeySealed],
    );
  }
}
