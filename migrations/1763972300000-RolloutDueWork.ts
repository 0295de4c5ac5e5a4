import { type MigrationInterface, type QueryRunner } from 'typeorm';

/**
 * The due-work index held every synchronized entry, including those of synchronize-only rollouts, which
 * are finished: it grew with every rollout ever run, and the dispatcher read all of it on each pass
 * (bench/rollout). `activates` copies the rollout's mode onto its entries (it never changes) so the index
 * can hold exactly the entries that may still need a frame: pending ones, and synchronized ones of a
 * publish waiting for `profile.activate`.
 *
 * The table also leaves a fifth of each page free: marking a frame as sent (sent_step, sent_at,
 * sent_session, in no index) can then stay on its page (a HOT update) instead of adding index entries.
 */
export class RolloutDueWork1763972300000 implements MigrationInterface {
  name = 'RolloutDueWork1763972300000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`ALTER TABLE rollout_agents ADD COLUMN activates boolean NOT NULL DEFAULT false`);
    await q.query(
      `UPDATE rollout_agents ra SET activates = true FROM rollouts r WHERE r.id = ra.rollout_id AND r.mode = 'publish'`,
    );
    await q.query('DROP INDEX rollout_agents_due');
    await q.query(
      `CREATE INDEX rollout_agents_due ON rollout_agents (agent_id)
        WHERE state = 'pending' OR (state = 'synchronized' AND activates)`,
    );
    await q.query('ALTER TABLE rollout_agents SET (fillfactor = 80)');
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query('ALTER TABLE rollout_agents RESET (fillfactor)');
    await q.query('DROP INDEX rollout_agents_due');
    await q.query(
      `CREATE INDEX rollout_agents_due ON rollout_agents (agent_id) WHERE state IN ('pending', 'synchronized')`,
    );
    await q.query('ALTER TABLE rollout_agents DROP COLUMN activates');
  }
}
