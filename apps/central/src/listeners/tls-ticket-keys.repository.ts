import { Injectable } from '@nestjs/common';
import { DataSource } from 'typeorm';
import { queryRow } from '../database/typed-query.js';

/** The installation's TLS session ticket keys as stored: sealed, never in clear (ADR 53). */
export interface StoredTicketKeys {
  keysSealed: string;
  /** sha256 of the server certificate chain the keys were made for. */
  identitySha256: string;
  /** Grows by one at each rotation: a node holding another generation reloads. */
  generation: number;
  /** Seconds since the keys were made, in database time (nodes' clocks may differ). */
  ageSeconds: number;
}

const COLUMNS = `keys_encrypted AS "keysSealed", identity_sha256 AS "identitySha256", generation,
  EXTRACT(EPOCH FROM now() - created_at)::float8 AS "ageSeconds"`;

@Injectable()
export class TlsTicketKeysRepository {
  constructor(private readonly db: DataSource) {}

  async find(): Promise<StoredTicketKeys | undefined> {
    return queryRow<StoredTicketKeys>(this.db, `SELECT ${COLUMNS} FROM tls_ticket_keys WHERE id = 1`);
  }

  /** Stores the first keys unless another node stored some first; the caller re-reads to use the winner. */
  async insertIfAbsent(keysSealed: string, identitySha256: string): Promise<void> {
    await this.db.query(
      `INSERT INTO tls_ticket_keys (id, keys_encrypted, identity_sha256) VALUES (1, $1, $2)
       ON CONFLICT (id) DO NOTHING`,
      [keysSealed, identitySha256],
    );
  }

  /**
   * Replaces the keys when they are older than `maxAgeSeconds` (database time: nodes' clocks may differ)
   * or, with `identitySha256`, were made for another certificate chain. One statement, so nodes racing
   * to rotate rotate once: the others find the condition false once the winner committed. Returns the new
   * generation, or undefined when nothing needed rotating.
   */
  async rotateIfDue(
    keysSealed: string,
    maxAgeSeconds: number,
    identitySha256: string | undefined,
  ): Promise<number | undefined> {
    const row = await queryRow<{ generation: number }>(
      this.db,
      `UPDATE tls_ticket_keys
          SET keys_encrypted = $1, identity_sha256 = COALESCE($3, identity_sha256),
              generation = generation + 1, created_at = now()
        WHERE id = 1
          AND (created_at <= now() - make_interval(secs => $2) OR ($3::text IS NOT NULL AND identity_sha256 <> $3))
        RETURNING generation`,
      [keysSealed, maxAgeSeconds, identitySha256 ?? null],
    );
    return row?.generation;
  }
}
