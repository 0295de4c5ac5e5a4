import { type MigrationInterface, type QueryRunner } from 'typeorm';

/**
 * A rollout's entries no longer have their rollout checked row by row (ADR 16). Every entry is inserted
 * in the transaction that inserts its rollout, with the id that INSERT returned, and rollouts are never
 * deleted (a finished rollout is history), so the check could not fail and the cascade never ran; yet it
 * locked the rollout's row once per entry: about 60 ms of the 10,000-entry insert the first frames wait
 * for, and 0.6 s at 50,000 (docs/benchmarks.md). The agent's check stays: agents are deleted.
 *
 * 1796730000000 (2026-12-08T08:53:20Z) is the start of the range this change was given; TypeORM orders
 * migrations by the last 13 digits of the class name.
 */
export class RolloutEntriesWithoutRolloutCheck1796730000000 implements MigrationInterface {
  name = 'RolloutEntriesWithoutRolloutCheck1796730000000';

  async up(q: QueryRunner): Promise<void> {
    await q.query('ALTER TABLE rollout_agents DROP CONSTRAINT rollout_agents_rollout_id_fkey');
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(
      `ALTER TABLE rollout_agents ADD CONSTRAINT rollout_agents_rollout_id_fkey
         FOREIGN KEY (rollout_id) REFERENCES rollouts (id) ON DELETE CASCADE`,
    );
  }
}
