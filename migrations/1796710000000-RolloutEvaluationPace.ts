import { type MigrationInterface, type QueryRunner } from 'typeorm';

/**
 * When the cluster may next count waves and walk for step timeouts (ADR 55). Both read every open entry
 * of the rollouts under way, so at 50,000 agents a node evaluating after every burst of answers, and
 * several workers each ticking, made a push cost O(N²). The node holding the rollout lock writes here how
 * long its evaluation took; every node then waits a multiple of that before the next one.
 *
 * 1796710000000 (2026-12-08T06:06:40Z) is the start of the range this change was given; TypeORM orders
 * migrations by the last 13 digits of the class name.
 */
export class RolloutEvaluationPace1796710000000 implements MigrationInterface {
  name = 'RolloutEvaluationPace1796710000000';

  async up(q: QueryRunner): Promise<void> {
    // One row per installation (id is always 1), there from the start: an evaluation only updates it.
    // 'epoch', not '-infinity': PostgreSQL 15 has no infinite interval to subtract it with.
    await q.query(`
      CREATE TABLE rollout_evaluation_pace (
        id smallint PRIMARY KEY DEFAULT 1 CHECK (id = 1),
        waves_next_at timestamptz NOT NULL DEFAULT 'epoch',
        timeouts_next_at timestamptz NOT NULL DEFAULT 'epoch'
      )`);
    await q.query('INSERT INTO rollout_evaluation_pace (id) VALUES (1)');
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query('DROP TABLE rollout_evaluation_pace');
  }
}
