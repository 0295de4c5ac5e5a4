import { Injectable } from '@nestjs/common';
import { DataSource } from 'typeorm';

export interface StoredServerCertificate {
  id: string;
  source: string;
  chainPem: string;
  keyEncrypted: string;
  createdAt: Date;
}

@Injectable()
export class CertificatesRepository {
  constructor(private readonly db: DataSource) {}

  async findActive(): Promise<StoredServerCertificate | undefined> {
    const [row] = await this.db.query(
      'SELECT id, source, chain_pem, key_encrypted, created_at FROM server_certificates WHERE active',
    );
    if (!row) return undefined;
    const r = row as Record<string, unknown>;
    return {
      id: r.id as string,
      source: r.source as string,
      chainPem: r.chain_pem as string,
      keyEncrypted: r.key_encrypted as string,
      createdAt: r.created_at as Date,
    };
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
      const [row] = await tx.query(
        `INSERT INTO server_certificates (active, source, chain_pem, key_encrypted, fingerprint_sha256, not_before, not_after)
         VALUES (true, $1, $2, $3, $4, $5, $6) RETURNING id`,
        [c.source, c.chainPem, c.keyEncrypted, c.fingerprintSha256, c.notBefore, c.notAfter],
      );
      return (row as { id: string }).id;
    });
  }
}
