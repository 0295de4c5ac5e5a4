import { type MigrationInterface, type QueryRunner } from 'typeorm';

/**
 * Each node holds a PostgreSQL advisory lock on its own connection and publishes its key here (ADR 34):
 * PostgreSQL releases the lock the moment that connection dies, so the other nodes see a killed node at
 * once instead of after its heartbeat goes stale. NULL: a node that holds no lease (an older version);
 * only its heartbeat tells.
 */
export class NodeLease1765100200000 implements MigrationInterface {
  name = 'NodeLease1765100200000';

  async up(q: QueryRunner): Promise<void> {
    await q.query('ALTER TABLE central_nodes ADD COLUMN lease_key integer');
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query('ALTER TABLE central_nodes DROP COLUMN lease_key');
  }
}
