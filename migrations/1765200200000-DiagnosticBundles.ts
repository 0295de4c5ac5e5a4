import { type MigrationInterface, type QueryRunner } from 'typeorm';

/**
 * Diagnostics bundles asked of agents (issue 17 point 4, ADR 44): one row per request and agent, from
 * `requested` to `received` (the zip in `content`) or `failed` (`reason`). The bundles are small (at most
 * the request's `max_bytes`) and few (the newest 5 per agent, 7 days), so they live in the database:
 * every node serves every download, and backups carry them.
 */
export class DiagnosticBundles1765200200000 implements MigrationInterface {
  name = 'DiagnosticBundles1765200200000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`
      CREATE TABLE diagnostic_bundles (
        id uuid PRIMARY KEY,
        agent_id text NOT NULL REFERENCES agents (id) ON DELETE CASCADE,
        state text NOT NULL CHECK (state IN ('requested', 'received', 'failed')),
        reason text,
        requested_by text NOT NULL,
        requested_at timestamptz NOT NULL DEFAULT now(),
        deadline_at timestamptz NOT NULL,
        received_at timestamptz,
        max_bytes integer NOT NULL,
        size_bytes integer,
        sha256 text,
        content bytea,
        CHECK ((state = 'received') = (content IS NOT NULL))
      )`);
    await q.query(
      'CREATE INDEX diagnostic_bundles_agent ON diagnostic_bundles (agent_id, requested_at DESC)',
    );
    await q.query(
      `CREATE INDEX diagnostic_bundles_waiting ON diagnostic_bundles (deadline_at) WHERE state = 'requested'`,
    );
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query('DROP TABLE diagnostic_bundles');
  }
}
