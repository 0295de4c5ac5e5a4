import { type MigrationInterface, type QueryRunner } from 'typeorm';

/**
 * Each node publishes, beside what it has bound, the listeners it was asked for but could not bind and
 * why ("port 8787 is in use"), so `GET /api/listeners` and the UI tell the reason (issue 16 point 6).
 */
export class ListenerFailures1765100610000 implements MigrationInterface {
  name = 'ListenerFailures1765100610000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`ALTER TABLE central_nodes ADD COLUMN listener_failures jsonb NOT NULL DEFAULT '[]'`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`ALTER TABLE central_nodes DROP COLUMN listener_failures`);
  }
}
