import { Injectable } from '@nestjs/common';
import { DataSource } from 'typeorm';

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

  /** Stores the key unless another node stored one first; the caller re-reads to use the winner. */
  async insertIfAbsent(key: StoredSigningKey): Promise<void> {
    await this.db.query(
      `INSERT INTO profile_signing_key (id, public_key_pem, private_key_encrypted) VALUES (1, $1, $2)
       ON CONFLICT (id) DO NOTHING`,
      [key.publicKeyPem, key.privateKeySealed],
    );
  }
}
