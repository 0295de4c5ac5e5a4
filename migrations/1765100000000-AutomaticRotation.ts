import { type MigrationInterface, type QueryRunner } from 'typeorm';

/**
 * ACME renewals with a new anchor rotate by themselves (issue 14 point 3, ADR 32).
 *
 * `acme_orders.new_anchor` is the operator's choice for a certificate whose chain ends at an anchor
 * known agents do not trust: `rotate` stages it as a certificate rotation that advances by itself,
 * `hold` keeps it for approval as before. Renewals inherit it from the order they renew. An order
 * whose certificate is being rotated in is `rotating` (with the rotation's id, and the chain and
 * sealed key kept as for `held`, so an aborted rotation falls back to a held order).
 *
 * `certificate_rotations.automatic` names what drives a rotation by itself (`acme`), NULL for an
 * operator's; `automatic_blocked` is why it stopped advancing (`{ since, reason }`), NULL while it goes.
 */
export class AutomaticRotation1765100000000 implements MigrationInterface {
  name = 'AutomaticRotation1765100000000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(
      `ALTER TABLE acme_orders ADD COLUMN new_anchor text NOT NULL DEFAULT 'rotate'
         CONSTRAINT acme_orders_new_anchor_check CHECK (new_anchor IN ('rotate', 'hold')),
       ADD COLUMN rotation_id uuid REFERENCES certificate_rotations (id) ON DELETE SET NULL`,
    );
    await q.query('ALTER TABLE acme_orders DROP CONSTRAINT acme_orders_status_check');
    await q.query(
      `ALTER TABLE acme_orders ADD CONSTRAINT acme_orders_status_check CHECK (status IN ('processing', 'valid', 'failed', 'held', 'rotating'))`,
    );
    await q.query(
      `ALTER TABLE certificate_rotations ADD COLUMN automatic text
         CONSTRAINT certificate_rotations_automatic_check CHECK (automatic IN ('acme')),
       ADD COLUMN automatic_blocked jsonb`,
    );
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`ALTER TABLE certificate_rotations DROP COLUMN automatic, DROP COLUMN automatic_blocked`);
    await q.query(
      `UPDATE acme_orders SET status = 'held', progress = 'waiting for approval',
         error = 'was being rotated in when the schema was reverted' WHERE status = 'rotating'`,
    );
    await q.query('ALTER TABLE acme_orders DROP CONSTRAINT acme_orders_status_check');
    await q.query(
      `ALTER TABLE acme_orders ADD CONSTRAINT acme_orders_status_check CHECK (status IN ('processing', 'valid', 'failed', 'held'))`,
    );
    await q.query('ALTER TABLE acme_orders DROP COLUMN new_anchor, DROP COLUMN rotation_id');
  }
}
