// The secure_only gate's facts at fleet size (issue 15 point 4, ADR 52): with 10,000 agents and ten finished
// publish rollouts of all of them (100,000 rollout entries), reading the facts examines the few failed
// entries, not every agent's history. Asserted on PostgreSQL's own count of the rows the statement read
// (pg_stat_xact_user_tables inside one transaction), never on time; the time is printed.
import { type DataSource } from 'typeorm';
import { MigrationGateQuery } from '../../apps/central/src/migration/migration-gate.query.js';
import { assessSecureOnly } from '../../apps/central/src/migration/secure-only-gate.js';
import { rowsReadInTransaction } from '../support/pg-stats.js';
import { insertPublishRollout, openMigrated, seedProfileRevision } from '../support/rollout-seed.js';
import { createTestDatabase, type TestDatabase } from '../support/test-database.js';

const AGENTS = 10_000;
const FINISHED_ROLLOUTS = 10;
const NODE = 'facts-node';

describe('the secure_only gate facts do not grow with rollout history (real PostgreSQL)', () => {
  let db: TestDatabase;
  let ds: DataSource;
  const agentIds = Array.from({ length: AGENTS }, (_, i) => `facts-${String(i + 1).padStart(5, '0')}`);

  const rollout = (createdAt: string) =>
    insertPublishRollout(ds, { profile: 'facts', agents: AGENTS, state: 'completed', createdAt });

  /** The facts read in one transaction, with the rows it read from rollout_agents and the time it took. */
  async function measured(): Promise<{
    facts: Awaited<ReturnType<MigrationGateQuery['gateFacts']>>;
    rows: number;
    ms: number;
  }> {
    return ds.transaction(async (m) => {
      const before = await rowsReadInTransaction(m, 'rollout_agents');
      const started = performance.now();
      const facts = await new MigrationGateQuery(m).gateFacts();
      const ms = performance.now() - started;
      return { facts, rows: (await rowsReadInTransaction(m, 'rollout_agents')) - before, ms };
    });
  }

  beforeAll(async () => {
    db = await createTestDatabase();
    ds = await openMigrated(db, NODE);
    // Half online over secure, half offline over plain for a week; every one with a connection history.
    await ds.query(
      `INSERT INTO agents (id, credential_hash, connection_status, node_id, transport, agent_version, capabilities,
                           connected_at, last_seen_at)
       SELECT id, 'hash', CASE WHEN n % 2 = 0 THEN 'online' ELSE 'offline' END, $2,
              CASE WHEN n % 2 = 0 THEN 'secure' ELSE 'plain' END, '0.5.0', '["wss"]',
              now() - interval '8 days', now() - interval '7 days'
         FROM unnest($1::text[]) WITH ORDINALITY AS a(id, n)`,
      [agentIds, NODE],
    );
    await ds.query(
      `INSERT INTO agent_connection_stats (agent_id, first_connected_at, last_connected_at, last_transport,
                                           last_secure_at, last_plain_at, longest_offline_gap_seconds, connections)
       SELECT id, now() - interval '30 days', now() - interval '8 days', 'plain', NULL,
              now() - interval '8 days', 3600, 12 FROM unnest($1::text[]) id`,
      [agentIds],
    );
    await seedProfileRevision(ds, 'facts');
  }, 120_000);

  afterAll(async () => {
    await ds?.destroy();
    await db?.drop();
  });

  it('reads the failed entries of publish rollouts, not 100,000 finished ones', async () => {
    await ds.query('ANALYZE');
    const without = await measured();
    expect(without.facts.agents).toHaveLength(AGENTS);

    // Ten finished publish rollouts of every agent, all applied but for 20 failed and 5 stale entries in
    // the oldest, 3 of which a newer rollout applied again (those no longer count as failed).
    const ids: string[] = [];
    for (let i = 0; i < FINISHED_ROLLOUTS; i++)
      ids.push(await rollout(`2026-11-${String(10 + i)}T00:00:00Z`));
    await ds.query(
      `INSERT INTO rollout_agents (rollout_id, agent_id, wave, state, reason, activates, applied_at)
       SELECT r, a, 1, 'applied', NULL, true, now() FROM unnest($1::uuid[]) r CROSS JOIN unnest($2::text[]) a`,
      [ids.slice(1), agentIds.slice(0, AGENTS - 3)],
    );
    await ds.query(
      `INSERT INTO rollout_agents (rollout_id, agent_id, wave, state, reason, activates, applied_at)
       SELECT $1, a, 1, CASE WHEN n <= 20 THEN 'failed' WHEN n <= 25 THEN 'stale' ELSE 'applied' END,
              CASE WHEN n <= 20 THEN 'disk full' END, true, now()
         FROM unnest($2::text[]) WITH ORDINALITY AS x(a, n)`,
      [ids[0], [...agentIds.slice(AGENTS - 3), ...agentIds.slice(0, AGENTS - 3)]],
    );
    await ds.query('ANALYZE');
    const withHistory = await measured();

    // The three agents only the oldest rollout reached, with a failure there: still failed.
    const failed = withHistory.facts.agents.filter((a) => a.rollout);
    expect(failed.map((a) => [a.id, a.rollout!.state, a.rollout!.reason])).toEqual([
      ['facts-09998', 'failed', 'disk full'],
      ['facts-09999', 'failed', 'disk full'],
      ['facts-10000', 'failed', 'disk full'],
    ]);
    const gate = assessSecureOnly(withHistory.facts.agents, withHistory.facts.now, 24);
    expect(gate.stranded.filter((s) => s.reasons.some((r) => r.code === 'failed_apply'))).toHaveLength(3);
    console.log(
      `gate facts at ${AGENTS} agents: ${without.ms.toFixed(0)} ms without history, ${withHistory.ms.toFixed(0)} ms ` +
        `with ${FINISHED_ROLLOUTS} finished rollouts (${withHistory.rows} rollout entries read)`,
    );
    // The 25 entries that failed and, for each, whether a newer publish rollout reached its agent (a
    // handful of index probes): never the 100,000 applied ones.
    expect(withHistory.rows).toBeLessThan(500);
  }, 120_000);
});
