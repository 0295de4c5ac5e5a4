import { type MigrationInterface, type QueryRunner } from 'typeorm';

/**
 * Login rate limiting held in PostgreSQL so it counts across nodes (ADR 11), and what sessions need for
 * CSRF and idle expiry: the hash of the session's CSRF token and the time of its last request.
 */
export class LoginAttempts1763971600000 implements MigrationInterface {
  name = 'LoginAttempts1763971600000';

  async up(q: QueryRunner): Promise<void> {
    // One row per failed (or still running) attempt; rows older than the window are pruned.
    await q.query(`
      CREATE TABLE login_attempts (
        id bigserial PRIMARY KEY,
        at timestamptz NOT NULL DEFAULT now(),
        username text NOT NULL,
        address text NOT NULL
      )`);
    await q.query(`CREATE INDEX login_attempts_address_at ON login_attempts (address, at)`);
    await q.query(`CREATE INDEX login_attempts_username_at ON login_attempts (username, at)`);
    await q.query(`CREATE INDEX login_attempts_at ON login_attempts (at)`);
    // Sessions made before this migration have no CSRF token: their writes are refused until a new login.
    await q.query(`ALTER TABLE admin_sessions ADD COLUMN csrf_hash text`);
    await q.query(`ALTER TABLE admin_sessions ADD COLUMN last_seen_at timestamptz NOT NULL DEFAULT now()`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`ALTER TABLE admin_sessions DROP COLUMN last_seen_at`);
    await q.query(`ALTER TABLE admin_sessions DROP COLUMN csrf_hash`);
    await q.query(`DROP TABLE login_attempts`);
  }
}
