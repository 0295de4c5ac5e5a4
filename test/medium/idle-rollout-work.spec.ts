// Without any rollout, central's rollout work reads no agent (issue 15 point 2, ADR 52): the agent-upgrade
// dispatcher's tick probed rollout_agents once per online agent of the node every second (measured: 30
// probes per connection while 2,000 agents connected, a good part of PostgreSQL's time per connection).
// Asserted on PostgreSQL's own scan counters, never on time. Once a profile rollout has finished its entries
// stay for good: the agent-upgrade dispatcher then still ran its due query and version reconciliation (joins
// from the node's online agents) at every tick with no package rollout under way; counted as its statements.
import { jest } from '@jest/globals';
import pg from 'pg';
import { EventBus } from '../../apps/central/src/common/event-bus.js';
import { PackageRolloutsRepository } from '../../apps/central/src/rollouts/package-rollouts.repository.js';
import { RolloutEntriesPresence } from '../../apps/central/src/rollouts/rollout-entries-presence.js';
import { startTestCentral, type TestCentral } from '../support/in-process-central.js';
import { tableReads } from '../support/pg-stats.js';
import { waitFor } from '../support/ports.js';
import { insertPublishRollout, seedProfileRevision } from '../support/rollout-seed.js';
import { createTestDatabase, type TestDatabase } from '../support/test-database.js';

const ONLINE = 1_000;

describe('no rollout, no rollout work per online agent (real PostgreSQL)', () => {
  let db: TestDatabase;
  let c: TestCentral;
  let sql: pg.Client;

  beforeAll(async () => {
    db = await createTestDatabase();
    c = await startTestCentral(db.url, { env: { SWITCHYARD_ROLLOUT_TICK_MS: '200' } });
    sql = new pg.Client({ connectionString: db.url });
    await sql.connect();
    await sql.query(
      `INSERT INTO agents (id, credential_hash, connection_status, node_id, session_id, transport, connected_at)
       SELECT format('idle-%s', i), 'hash', 'online', $1, gen_random_uuid(), 'plain', now()
         FROM generate_series(1, ${ONLINE}) AS i`,
      [c.central.node.id],
    );
  });

  afterAll(async () => {
    await sql?.end();
    await c?.stop();
    await db?.drop();
  });

  const scans = async () => (await tableReads(sql, 'rollout_agents')).scans;

  it(`reads rollout_agents a few times per tick at most, not once per each of ${ONLINE} online agents`, async () => {
    // Until central has counted the entries once, "maybe some exist" and the ticks do their work: that is
    // the rule. Measure from when it knows there are none (a loaded machine may take a while to get there),
    // plus a second for the statistics of the ticks before it to be flushed.
    const presence = c.central.app.get(RolloutEntriesPresence);
    await waitFor(
      'central to know that no rollout entry exists',
      async () => !presence.mayExist(),
      20_000,
      50,
    );
    await new Promise((resolve) => setTimeout(resolve, 1500));
    const before = await scans();
    // Ten ticks of 200 ms, and time for the statistics to be flushed.
    await new Promise((resolve) => setTimeout(resolve, 3000));
    const during = (await scans()) - before;
    expect(during).toBeLessThan(ONLINE / 2);
  }, 60_000);

  it('with a finished profile rollout and no package rollout, the agent-upgrade dispatcher reads nothing', async () => {
    await seedProfileRevision(sql, 'done');
    const done = await insertPublishRollout(sql, {
      profile: 'done',
      agents: ONLINE,
      state: 'completed',
      createdAt: '2026-12-01T00:00:00Z',
    });
    await sql.query(
      `INSERT INTO rollout_agents (rollout_id, agent_id, wave, state, activates, applied_at)
       SELECT $1, id, 1, 'applied', true, now() FROM agents`,
      [done],
    );
    // Entries exist now: the dispatchers' first gate is open, as after any rollout.
    const presence = c.central.app.get(RolloutEntriesPresence);
    await presence.refresh();
    expect(presence.mayExist()).toBe(true);
    // Its two statements per tick: without statistics (after a restart, before autovacuum came by) the due
    // query walked the node's online agents with an index probe into rollout_agents for each.
    const due = jest.spyOn(PackageRolloutsRepository.prototype, 'due');
    const reconcile = jest.spyOn(PackageRolloutsRepository.prototype, 'reconcileVersions');
    try {
      await new Promise((resolve) => setTimeout(resolve, 3000)); // fifteen ticks of 200 ms
      expect({ due: due.mock.calls.length, reconcile: reconcile.mock.calls.length }).toEqual({
        due: 0,
        reconcile: 0,
      });

      // A package rollout under way (created on any node: rollout.changed): its work is read again at once.
      await sql.query(
        `INSERT INTO agent_packages (version, sha256, size_bytes, platform, min_node_major, manifest,
           publisher_signature, publisher_key_fingerprint, central_signature, archive, uploaded_by)
         VALUES ('9.0.0', repeat('b', 64), 1, 'linux-x64', 24, '{}', '\\x00', 'f', '\\x00', '\\x00', 'test')`,
      );
      const { rows } = await sql.query<{ id: string }>(
        `INSERT INTO rollouts (kind, package_version, mode, targets, waves, wave_count, success_threshold_percent,
           error_threshold, state, created_by)
         VALUES ('agent_package', '9.0.0', 'publish', '{"all":true}', '{"requested":{},"sizes":[0]}', 1, 100,
           '{"count":1}', 'running', 'test') RETURNING id`,
      );
      c.central.app.get(EventBus).emit('rollout.changed', { rolloutId: rows[0]!.id });
      await waitFor(
        'the upgrade dispatcher to read due upgrades',
        async () => due.mock.calls.length > 0,
        10_000,
        50,
      );
    } finally {
      due.mockRestore();
      reconcile.mockRestore();
    }
  }, 60_000);
});
