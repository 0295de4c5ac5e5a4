import { type MigrationInterface, type QueryRunner } from 'typeorm';

/**
 * Enrollment tokens that say which agents they may enroll (ADR 25): `agent_id` for the one-time token an
 * admin issues to re-enroll one agent (`POST /api/agents/:id/re-enroll`), `agent_id_prefix` for a token
 * limited to ids that start with it, and `agent_group`, the group an agent enrolled with it joins.
 */
export class EnrollmentTokenScope1765000100000 implements MigrationInterface {
  name = 'EnrollmentTokenScope1765000100000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(
      `ALTER TABLE enrollment_tokens
         ADD COLUMN agent_id text,
         ADD COLUMN agent_id_prefix text,
         ADD COLUMN agent_group text`,
    );
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(
      'ALTER TABLE enrollment_tokens DROP COLUMN agent_group, DROP COLUMN agent_id_prefix, DROP COLUMN agent_id',
    );
  }
}
