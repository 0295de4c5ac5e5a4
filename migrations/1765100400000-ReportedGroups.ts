import { type MigrationInterface, type QueryRunner } from 'typeorm';

/**
 * The groups an agent reports in hello from its own `agent.group` (ADR 37), kept apart from `groups`,
 * which an admin (or the enrollment token) sets: targeting uses both, and the API says which came from
 * where. Rollouts to a group look for it in either column.
 */
export class ReportedGroups1765100400000 implements MigrationInterface {
  name = 'ReportedGroups1765100400000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`ALTER TABLE agents ADD COLUMN reported_groups text[] NOT NULL DEFAULT '{}'`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query('ALTER TABLE agents DROP COLUMN reported_groups');
  }
}
