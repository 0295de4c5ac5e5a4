// Without any rollout, central's rollout work reads no agent (issue 15 point 2, ADR 52): the agent-upgrade
// dispatcher's tick probed rollout_agents once per online agent of the node every second (measured: 30
// probes per connection while 2,000 agents connected, a good part of PostgreSQL's time per connection).
// Asserted on PostgreSQL's own scan counters, never on time.
import pg from 'pg';
import { RolloutEntriesPresence } from '../../apps/central/src/rollouts/rollout-entries-presence.js';
import { startTestCentral, type TestCentral } from '../support/in-process-central.js';
import { waitFor } from '../support/ports.js';
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

  /** Scans of rollout_agents so far (statistics other backends flushed; they flush at least every second). */
  async function scans(): Promise<number> {
    await sql.query('SELECT pg_stat_clear_snapshot()');
    const { rows } = await sql.query<{ n: string }>(
      `SELECT (coalesce(seq_scan, 0) + coalesce(idx_scan, 0))::text AS n
         FROM pg_stat_user_tables WHERE relname = 'rollout_agents'`,
    );
    return Number(rows[0]!.n);
  }

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
});
