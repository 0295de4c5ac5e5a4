// The narrow methods other domains call instead of naming a table they do not own (ADR 47), on a real
// PostgreSQL: what they answer, and that the ones taking the caller's transaction really write on it.
import { randomUUID } from 'node:crypto';
import { type DataSource } from 'typeorm';
import { FleetAgentsRepository } from '../../apps/central/src/agents/fleet-agents.repository.js';
import { createDataSource, migrate } from '../../apps/central/src/database/database.js';
import { MigrationRepository } from '../../apps/central/src/migration/migration.repository.js';
import { RolloutProgressRepository } from '../../apps/central/src/rollouts/rollout-progress.repository.js';
import { RolloutsRepository } from '../../apps/central/src/rollouts/rollouts.repository.js';
import { createTestDatabase, type TestDatabase } from '../support/test-database.js';

interface Queryable {
  query(sql: string, params?: unknown[]): Promise<unknown>;
}

describe('table owners answer other domains (real PostgreSQL)', () => {
  let db: TestDatabase;
  let ds: DataSource;
  let rolloutId: string;

  /** Runs `work` in a transaction that is always rolled back. */
  async function rolledBack(work: (q: Queryable) => Promise<void>): Promise<void> {
    const runner = ds.createQueryRunner();
    await runner.connect();
    await runner.startTransaction();
    try {
      await work(runner);
    } finally {
      await runner.rollbackTransaction();
      await runner.release();
    }
  }

  beforeAll(async () => {
    db = await createTestDatabase();
    ds = createDataSource(db.url);
    await ds.initialize();
    await migrate(ds, () => undefined);
    // A live node and a node whose heartbeat stopped a minute ago.
    await ds.query(`INSERT INTO central_nodes (id, name) VALUES ('live', 'live'), ('dead', 'dead')`);
    await ds.query(`UPDATE central_nodes SET heartbeat_at = now() - interval '1 minute' WHERE id = 'dead'`);
    await ds.query(
      `INSERT INTO agents (id, connection_status, node_id, transport, groups, agent_version, capabilities)
       VALUES ('own-a', 'online', 'live', 'plain', '{north}', '0.4.0', '["wss"]'),
              ('own-b', 'online', 'dead', 'secure', '{}', '0.4.0', '[]'),
              ('own-c', 'offline', NULL, 'plain', '{north}', NULL, '[]'),
              ('own-d', 'never_connected', NULL, NULL, '{}', NULL, '[]')`,
    );
    await ds.query(`UPDATE agents SET reported_groups = '{north}' WHERE id = 'own-b'`);
    await ds.query(`UPDATE agents SET revoked_at = now() WHERE id = 'own-d'`);
    await ds.query(
      `INSERT INTO profiles (name, draft_agent_conf, truststore_password_encrypted, created_by, updated_by)
       VALUES ('owners', '', 'unused', 'test', 'test')`,
    );
    await ds.query(
      `INSERT INTO profile_revisions (profile_name, revision, sha256, size_bytes, archive, manifest, agent_conf,
         truststore, minimum_agent_version, required_capabilities, created_by)
       VALUES ('owners', 1, repeat('b', 64), 1, '\\x00', '{}', '', '[]', '0.1.0', '[]', 'test')`,
    );
    rolloutId = randomUUID();
    await ds.query(
      `INSERT INTO rollouts (id, profile_name, revision, mode, targets, waves, wave_count, success_threshold_percent,
         error_threshold, state, created_by)
       VALUES ($1, 'owners', 1, 'publish', '{"all":true}', '{"requested":{},"sizes":[3]}', 1, 100, '{"count":9}',
         'halted', 'test')`,
      [rolloutId],
    );
    await ds.query(
      `INSERT INTO rollout_agents (rollout_id, agent_id, wave, state, reason)
       VALUES ($1, 'own-a', 1, 'applied', NULL), ($1, 'own-b', 1, 'failed', 'verify failed'),
              ($1, 'own-c', 1, 'stale', 'no answer')`,
      [rolloutId],
    );
  });

  afterAll(async () => {
    await ds?.destroy();
    await db?.drop();
  });

  it('rollouts answer a rollout’s progress: counted by state, only failed and stuck agents named', async () => {
    const progress = new RolloutProgressRepository(ds);
    expect(await progress.progressOf(rolloutId)).toEqual({
      id: rolloutId,
      profile: 'owners',
      revision: 1,
      mode: 'publish',
      state: 'halted',
      stateReason: null,
      agents: { applied: 1, failed: 1, stale: 1 },
      failed: [
        { agentId: 'own-b', state: 'failed', reason: 'verify failed' },
        { agentId: 'own-c', state: 'stale', reason: 'no answer' },
      ],
    });
    expect(await progress.progressOf(randomUUID())).toBeUndefined();
  });

  it('agents answer who a target reaches, their status as operators see it, and registration', async () => {
    const agents = new FleetAgentsRepository(ds);
    expect((await agents.targets({ groups: ['north'] })).map((a) => a.id)).toEqual([
      'own-a',
      'own-b',
      'own-c',
    ]);
    expect(await agents.targets({ agentIds: ['own-a', 'own-d'] })).toEqual([
      { id: 'own-a', agentVersion: '0.4.0', capabilities: ['wss'] },
    ]);
    // own-b is stored online, but its node's heartbeat stopped: shown disconnected at once (ADR 5).
    expect(await agents.statusOf(['own-a', 'own-b', 'own-c', 'nobody'])).toEqual(
      new Map([
        ['own-a', 'online'],
        ['own-b', 'disconnected'],
        ['own-c', 'offline'],
      ]),
    );
    expect((await agents.selected({ group: 'north', limit: 2 })).map((a) => [a.id, a.status])).toEqual([
      ['own-a', 'online'],
      ['own-b', 'disconnected'],
    ]);
    expect(await agents.isRegistered('own-a')).toBe(true);
    expect(await agents.isRegistered('own-d')).toBe(false);
  });

  it('writes made for another domain happen on its transaction, and go with its rollback', async () => {
    const agents = new FleetAgentsRepository(ds);
    const migration = new MigrationRepository(ds);
    const rollouts = new RolloutsRepository(ds);
    await rolledBack(async (q) => {
      await agents.recordRunningProfiles([{ agentId: 'own-a', sha256: 'b'.repeat(64) }], q);
      expect(
        await migration.exemptMany(q, ['own-a', 'own-c'], {
          reason: 'behind a connector',
          expiresAt: new Date(Date.now() + 86_400_000),
          createdBy: 'test',
        }),
      ).toEqual(['own-a', 'own-c']);
      expect(await migration.unexemptMany(q, ['own-c', 'own-b'])).toEqual(['own-c']);
      expect(await rollouts.lockState(rolloutId, q)).toBe('halted');
      expect(await rollouts.entryStates(rolloutId, ['own-a', 'own-b', 'own-d'], q)).toEqual(
        new Map([
          ['own-a', 'applied'],
          ['own-b', 'failed'],
        ]),
      );
      expect((await rollouts.retryAgents(rolloutId, ['own-a', 'own-b'], q)).sort()).toEqual(['own-b']);
      // Seen inside the transaction…
      const [row] = (await q.query(
        `SELECT (SELECT profile_sha256 FROM agents WHERE id = 'own-a') AS sha,
                (SELECT count(*)::int FROM migration_exemptions) AS exemptions,
                (SELECT state FROM rollouts WHERE id = $1) AS state`,
        [rolloutId],
      )) as Array<{ sha: string; exemptions: number; state: string }>;
      expect(row).toEqual({ sha: 'b'.repeat(64), exemptions: 1, state: 'running' });
    });
    // …and gone with its rollback.
    const [after] = (await ds.query(
      `SELECT (SELECT profile_sha256 FROM agents WHERE id = 'own-a') AS sha,
              (SELECT count(*)::int FROM migration_exemptions) AS exemptions,
              (SELECT state FROM rollouts WHERE id = $1) AS state`,
      [rolloutId],
    )) as Array<{ sha: string | null; exemptions: number; state: string }>;
    expect(after).toEqual({ sha: null, exemptions: 0, state: 'halted' });
  });
});
