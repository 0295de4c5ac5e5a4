import { type MigrationInterface, type QueryRunner } from 'typeorm';

/**
 * How an agent reaches central beyond the transport: `connector/<name>` when its session came through
 * the agent's TLS connector (the `X-Switchyard-Via` upgrade header), null when it connected directly.
 * Written with every new session, so a device moved back to a direct connection loses it.
 */
export class AgentVia1763972100000 implements MigrationInterface {
  name = 'AgentVia1763972100000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`ALTER TABLE agents ADD COLUMN via text`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query('ALTER TABLE agents DROP COLUMN via');
  }
}
