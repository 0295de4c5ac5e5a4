import { type MigrationInterface, type QueryRunner } from 'typeorm';

/**
 * What each agent trusts (issue 14, ADR 24): the anchors of its active truststore as it last reported
 * them, in a table of their own so the hello path writes it only when the report changed (compared by
 * `anchors_hash`). An agent without a row has not reported: "unknown".
 *
 * `server_certificates.activated_at` orders the certificates that were active, so the previous one can
 * be restored (its key stays sealed in its row, like the active one's).
 *
 * An ACME order whose chain would strand agents is `held` with the issued chain and its sealed key,
 * until an operator approves it (or a newer order supersedes it).
 */
export class TrustAnchors1765000200000 implements MigrationInterface {
  name = 'TrustAnchors1765000200000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`
      CREATE TABLE agent_trust_anchors (
        agent_id text PRIMARY KEY REFERENCES agents (id) ON DELETE CASCADE,
        -- [{ "sha256": hex of the DER certificate, "subject": one line }], sorted by sha256
        anchors jsonb NOT NULL,
        anchors_hash text NOT NULL,
        reported_at timestamptz NOT NULL DEFAULT now()
      )`);
    await q.query(`ALTER TABLE server_certificates ADD COLUMN activated_at timestamptz`);
    await q.query(`UPDATE server_certificates SET activated_at = created_at`);
    await q.query(`ALTER TABLE server_certificates ALTER COLUMN activated_at SET NOT NULL`);
    await q.query(`ALTER TABLE server_certificates ALTER COLUMN activated_at SET DEFAULT now()`);
    await q.query('ALTER TABLE acme_orders DROP CONSTRAINT acme_orders_status_check');
    await q.query(
      `ALTER TABLE acme_orders ADD CONSTRAINT acme_orders_status_check CHECK (status IN ('processing', 'valid', 'failed', 'held'))`,
    );
    await q.query(
      'ALTER TABLE acme_orders ADD COLUMN held_chain_pem text, ADD COLUMN held_key_encrypted text',
    );
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(
      `UPDATE acme_orders SET status = 'failed', error = 'held for approval when the schema was reverted' WHERE status = 'held'`,
    );
    await q.query('ALTER TABLE acme_orders DROP COLUMN held_chain_pem, DROP COLUMN held_key_encrypted');
    await q.query('ALTER TABLE acme_orders DROP CONSTRAINT acme_orders_status_check');
    await q.query(
      `ALTER TABLE acme_orders ADD CONSTRAINT acme_orders_status_check CHECK (status IN ('processing', 'valid', 'failed'))`,
    );
    await q.query('ALTER TABLE server_certificates DROP COLUMN activated_at');
    await q.query('DROP TABLE agent_trust_anchors');
  }
}
