import { type MigrationInterface, type QueryRunner } from 'typeorm';

/**
 * The users and sessions screen (issue 16 point 4). A session gets an id that can be shown and named
 * in `DELETE /api/auth/sessions/:id` (its key, the token hash, stays inside central), and a user the
 * time of their last successful login (sessions are deleted at logout, so they cannot tell it).
 */
export class SessionIds1765100600000 implements MigrationInterface {
  name = 'SessionIds1765100600000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`ALTER TABLE admin_sessions ADD COLUMN id uuid NOT NULL DEFAULT gen_random_uuid()`);
    await q.query(`CREATE UNIQUE INDEX admin_sessions_id ON admin_sessions (id)`);
    await q.query(`ALTER TABLE admin_users ADD COLUMN last_login_at timestamptz`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`ALTER TABLE admin_users DROP COLUMN last_login_at`);
    await q.query(`DROP INDEX admin_sessions_id`);
    await q.query(`ALTER TABLE admin_sessions DROP COLUMN id`);
  }
}
