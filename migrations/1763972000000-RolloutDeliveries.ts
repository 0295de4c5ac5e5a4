import { type MigrationInterface, type QueryRunner } from 'typeorm';

/**
 * What central last sent to each rollout agent, and on which session (ADR 0009). A frame sent on a session
 * that has since ended is lost with it, so pending work is sent again once the agent says hello on a new
 * session (after a central restart or a reconnect), and a step that got no answer within the rollout's
 * step timeout while the agent stayed online becomes `stale`.
 */
export class RolloutDeliveries1763972000000 implements MigrationInterface {
  name = 'RolloutDeliveries1763972000000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(
      `ALTER TABLE rollout_agents ADD COLUMN sent_step text CHECK (sent_step IN ('sync', 'activate'))`,
    );
    await q.query(`ALTER TABLE rollout_agents ADD COLUMN sent_at timestamptz`);
    await q.query(`ALTER TABLE rollout_agents ADD COLUMN sent_session uuid`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query('ALTER TABLE rollout_agents DROP COLUMN sent_session');
    await q.query('ALTER TABLE rollout_agents DROP COLUMN sent_at');
    await q.query('ALTER TABLE rollout_agents DROP COLUMN sent_step');
  }
}
