// Rows that tests of rollout costs seed straight into the database: a migrated schema with one central
// node, a profile revision for rollouts to name, and publish rollouts in any state (history included).
import { randomUUID } from 'node:crypto';
import { type DataSource } from 'typeorm';
import { createDataSource, migrate } from '../../apps/central/src/database/database.js';
import { type TestDatabase } from './test-database.js';

interface Queryable {
  query(sql: string, params?: unknown[]): Promise<unknown>;
}

/** The test database, migrated and opened for direct SQL, with the row of central node `nodeId`. */
export async function openMigrated(db: TestDatabase, nodeId: string): Promise<DataSource> {
  const ds = createDataSource(db.url);
  await ds.initialize();
  await migrate(ds, () => undefined);
  await ds.query(`INSERT INTO central_nodes (id, name) VALUES ($1, $1)`, [nodeId]);
  return ds;
}

/** Profile `name` with revision 1 (an empty archive), for rollouts to name. */
export async function seedProfileRevision(q: Queryable, name: string): Promise<void> {
  await q.query(
    `INSERT INTO profiles (name, draft_agent_conf, truststore_password_encrypted, created_by, updated_by)
     VALUES ($1, '', 'unused', 'test', 'test')`,
    [name],
  );
  await q.query(
    `INSERT INTO profile_revisions (profile_name, revision, sha256, size_bytes, archive, manifest, agent_conf,
       truststore, minimum_agent_version, required_capabilities, created_by)
     VALUES ($1, 1, repeat('a', 64), 1, '\\x00', '{}', '', '[]', '0.1.0', '[]', 'test')`,
    [name],
  );
}

/**
 * A publish rollout of revision 1 of `profile` to `agents` agents in one wave, in `state`, created at
 * `createdAt` (and finished then when its state is final). Its entries are the caller's to insert.
 */
export async function insertPublishRollout(
  q: Queryable,
  r: { profile: string; agents: number; state: string; createdAt: string },
): Promise<string> {
  const id = randomUUID();
  await q.query(
    `INSERT INTO rollouts (id, profile_name, revision, mode, targets, waves, wave_count, current_wave,
       success_threshold_percent, error_threshold, state, created_by, created_at, finished_at)
     VALUES ($1, $2, 1, 'publish', '{"all":true}', $3, 1, 1, 100, '{"count":1}', $4, 'test', $5::timestamptz,
       CASE WHEN $4 IN ('completed', 'cancelled') THEN $5::timestamptz END)`,
    [id, r.profile, JSON.stringify({ requested: {}, sizes: [r.agents] }), r.state, r.createdAt],
  );
  return id;
}
