import { Injectable } from '@nestjs/common';
import { DataSource } from 'typeorm';
import { queryRow, queryRows } from '../database/typed-query.js';

export interface StoredLocalCa {
  certificatePem: string;
  keyEncrypted: string;
}

/** An agent's newest certificate (by end of validity), or none: what in-session offers decide on. */
export interface CertificateStanding {
  agentId: string;
  newest: { notAfter: Date; revoked: boolean } | undefined;
}

export interface IssuedRecord {
  serial: string;
  agentId: string;
  fingerprintSha256: string;
  notBefore: Date;
  notAfter: Date;
}

@Injectable()
export class LocalCaRepository {
  constructor(private readonly db: DataSource) {}

  async findCa(): Promise<StoredLocalCa | undefined> {
    const row = await queryRow<{ certificate_pem: string; key_encrypted: string }>(
      this.db,
      'SELECT certificate_pem, key_encrypted FROM local_ca WHERE id = 1',
    );
    return row && { certificatePem: row.certificate_pem, keyEncrypted: row.key_encrypted };
  }

  /** Stores the CA unless another node stored one first; the caller re-reads to use the winner. */
  async insertCaIfAbsent(c: {
    certificatePem: string;
    keyEncrypted: string;
    fingerprintSha256: string;
    notAfter: Date;
  }): Promise<void> {
    await this.db.query(
      `INSERT INTO local_ca (id, certificate_pem, key_encrypted, fingerprint_sha256, not_after)
       VALUES (1, $1, $2, $3, $4) ON CONFLICT (id) DO NOTHING`,
      [c.certificatePem, c.keyEncrypted, c.fingerprintSha256, c.notAfter],
    );
  }

  async recordIssued(r: IssuedRecord): Promise<void> {
    await this.db.query(
      `INSERT INTO agent_certificates (serial, agent_id, fingerprint_sha256, not_before, not_after)
       VALUES ($1, $2, $3, $4, $5)`,
      [r.serial, r.agentId, r.fingerprintSha256, r.notBefore, r.notAfter],
    );
  }

  async hasIssued(agentId: string): Promise<boolean> {
    const rows = await queryRows(this.db, 'SELECT 1 FROM agent_certificates WHERE agent_id = $1 LIMIT 1', [
      agentId,
    ]);
    return rows.length > 0;
  }

  /** Those of `agentIds` that hold no certificate both unrevoked and unexpired. */
  async withoutValidCertificate(agentIds: string[]): Promise<string[]> {
    if (agentIds.length === 0) return [];
    const rows = await queryRows<{ id: string }>(
      this.db,
      `SELECT id FROM unnest($1::text[]) AS id WHERE NOT EXISTS (
         SELECT 1 FROM agent_certificates c WHERE c.agent_id = id AND c.revoked_at IS NULL AND c.not_after > now())
       ORDER BY id`,
      [agentIds],
    );
    return rows.map((r) => r.id);
  }

  /** The newest certificate of each of `agentIds` (one query for a whole batch of sessions). */
  async standings(agentIds: string[]): Promise<CertificateStanding[]> {
    if (agentIds.length === 0) return [];
    const rows = await queryRows<{ id: string; not_after: Date | null; revoked: boolean | null }>(
      this.db,
      `SELECT a.id, n.not_after, n.revoked FROM unnest($1::text[]) AS a(id) LEFT JOIN LATERAL (
         SELECT c.not_after, c.revoked_at IS NOT NULL AS revoked FROM agent_certificates c
         WHERE c.agent_id = a.id ORDER BY c.not_after DESC LIMIT 1) n ON true`,
      [agentIds],
    );
    return rows.map((r) => ({
      agentId: r.id,
      newest: r.not_after ? { notAfter: new Date(r.not_after), revoked: r.revoked === true } : undefined,
    }));
  }

  /** Revokes every unrevoked certificate of the agent; returns their serials (none: nothing to revoke). */
  async revokeForAgent(agentId: string): Promise<string[]> {
    const rows = await queryRows<{ serial: string }>(
      this.db,
      `UPDATE agent_certificates SET revoked_at = now() WHERE agent_id = $1 AND revoked_at IS NULL RETURNING serial`,
      [agentId],
    );
    return rows.map((r) => r.serial);
  }

  /** Revoked serials still inside their validity (expired ones fail the handshake on their own). */
  async revokedSerials(): Promise<string[]> {
    const rows = await queryRows<{ serial: string }>(
      this.db,
      `SELECT serial FROM agent_certificates WHERE revoked_at IS NOT NULL AND not_after > now() - interval '1 day'`,
    );
    return rows.map((r) => r.serial);
  }
}
