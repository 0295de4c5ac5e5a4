import { type MigrationInterface, type QueryRunner } from 'typeorm';

/**
 * The TLS session ticket keys of the secure agent listener, one set for every worker and node of the
 * installation, so an agent's session resumes after a restart and on another node (ADR 53). Sealed
 * under the master key like every other secret; `generation` tells nodes a rotation happened,
 * `identity_sha256` names the server certificate chain the keys were made for (a new chain rotates them).
 *
 * 1796700000000 (2026-12-08T03:20:00Z) is the start of the range this change was given; TypeORM orders
 * migrations by the last 13 digits of the class name.
 */
export class TlsTicketKeys1796700000000 implements MigrationInterface {
  name = 'TlsTicketKeys1796700000000';

  async up(q: QueryRunner): Promise<void> {
    // One row per installation; id is always 1 so racing nodes converge on the first one stored.
    await q.query(`
      CREATE TABLE tls_ticket_keys (
        id smallint PRIMARY KEY DEFAULT 1 CHECK (id = 1),
        keys_encrypted text NOT NULL,
        identity_sha256 text NOT NULL,
        generation integer NOT NULL DEFAULT 1,
        created_at timestamptz NOT NULL DEFAULT now()
      )`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query('DROP TABLE tls_ticket_keys');
  }
}
