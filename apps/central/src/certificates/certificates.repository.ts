import { Injectable } from '@nestjs/common';
import { DataSource } from 'typeorm';
import { queryRow, queryRows } from '../database/typed-query.js';

export interface StoredServerCertificate {
  id: string;
  source: string;
  chainPem: string;
  keyEncrypted: string;
  createdAt: Date;
}

interface StoredRow {
  id: string;
  source: string;
  chain_pem: string;
  key_encrypted: string;
  created_at: Date;
}

@Injectable()
export class CertificatesRepository {
  constructor(private readonly db: DataSource) {}

  async findActive(): Promise<StoredServerCertificate | undefined> {
    const row = await queryRow<StoredRow>(
      this.db,
      'SELECT id, source, chain_pem, key_encrypted, created_at FROM server_certificates WHERE active',
    );
    return row && toStored(row);
  }

  /** The certificate that was active before the current one (its key is sealed like the active one's). */
  async findPrevious(): Promise<StoredServerCertificate | undefined> {
    const row = await queryRow<StoredRow>(
      this.db,
      `SELECT id, source, chain_pem, key_encrypted, created_at FROM server_certificates
        WHERE NOT active ORDER BY activated_at DESC LIMIT 1`,
    );
    return row && toStored(row);
  }

  /**
   * Makes a stored certificate the active one again (restore previous); the one it replaces becomes
   * the previous. False when `expectedActiveId` is no longer active (a concurrent change won).
   */
  async reactivate(id: string, expectedActiveId: string): Promise<boolean> {
    return this.db.transaction(async (tx) => {
      const deactivated = await queryRows(
        tx,
        'UPDATE server_certificates SET active = false WHERE active AND id = $1 RETURNING id',
        [expectedActiveId],
      );
      if (deactivated.length === 0) return false;
      await tx.query('UPDATE server_certificates SET active = true, activated_at = now() WHERE id = $1', [
        id,
      ]);
      return true;
    });
  }

  /** Inserts a certificate and makes it the only active one, in one transaction. */
  async insertActive(c: {
    source: string;
    chainPem: string;
    keyEncrypted: string;
    fingerprintSha256: string;
    notBefore: Date;
    notAfter: Date;
  }): Promise<string> {
    return this.db.transaction(async (tx) => {
      await tx.query('UPDATE server_certificates SET active = false WHERE active');
      const row = await queryRow<{ id: string }>(
        tx,
        `INSERT INTO server_certificates (active, source, chain_pem, key_encrypted, fingerprint_sha256, not_before, not_after)
         VALUES (true, $1, $2, $3, $4, $5, $6) RETURNING id`,
        [c.source, c.chainPem, c.keyEncrypted, c.fingerprintSha256, c.notBefore, c.notAfter],
      );
      return row!.id;
    });
  }
}

function toStored(r: StoredRow): StoredServerCertificate {
  return {
    id: r.id,
    source: r.source,
    chainPem: r.chain_pem,
    keyEncrypted: r.key_encrypted,
    createdAt: r.created_at,
  };
}
