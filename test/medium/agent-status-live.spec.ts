// The live agent status at fleet size (issue 15 point 4, ADR 52): while a browser watches, each poll reads
// the agents that changed, not all 10,000 every second, and still sees every kind of change: a session
// written, an agent deleted, a node whose heartbeat stopped (its agents are shown disconnected).
import { jest } from '@jest/globals';
import pg from 'pg';
import { EventBus } from '../../apps/central/src/common/event-bus.js';
import { AgentStatusPoller } from '../../apps/central/src/live/agent-status.poller.js';
import {
  AgentStatusChangesQuery,
  type AgentStatusChanges,
} from '../../apps/central/src/agents/agent-status-changes.query.js';
import { startTestCentral, type TestCentral } from '../support/in-process-central.js';
import { waitFor } from '../support/ports.js';
import { createTestDatabase, type TestDatabase } from '../support/test-database.js';

const FLEET = 10_000;

interface Announced {
  agents: Array<{ id: string; status: string }>;
  removed: string[];
}

describe('the live agent status reads what changed (real PostgreSQL, 10,000 agents)', () => {
  let db: TestDatabase;
  let c: TestCentral;
  let sql: pg.Client;
  let poller: AgentStatusPoller;
  /** Rows each poll read, and how long it took, in order. */
  const reads: Array<{ rows: number; ms: number }> = [];
  const announced: Announced[] = [];

  beforeAll(async () => {
    db = await createTestDatabase();
    c = await startTestCentral(db.url);
    sql = new pg.Client({ connectionString: db.url });
    await sql.connect();
    await sql.query(
      `INSERT INTO agents (id, credential_hash, connection_status, transport, agent_version, connected_at, last_seen_at)
       SELECT format('live-%s', lpad(i::text, 5, '0')), 'hash', 'offline', 'plain', '0.5.0',
              now() - interval '2 hours', now() - interval '1 hour'
         FROM generate_series(1, ${FLEET}) AS i`,
    );
    const repo = c.central.app.get(AgentStatusChangesQuery);
    const changes = repo.changes.bind(repo);
    jest.spyOn(repo, 'changes').mockImplementation(async (since, nodes): Promise<AgentStatusChanges> => {
      const started = performance.now();
      const read = await changes(since, nodes);
      reads.push({ rows: read.rows.length, ms: performance.now() - started });
      return read;
    });
    c.central.app.get(EventBus).on('agents.status.changed', (e) => {
      announced.push(e as Announced);
    });
    poller = c.central.app.get(AgentStatusPoller);
  }, 120_000);

  afterAll(async () => {
    poller?.unwatch();
    await sql?.end();
    await c?.stop();
    await db?.drop();
  });

  /** The next announcement that satisfies `match` (polls run once a second). */
  const announcement = (what: string, match: (a: Announced) => boolean) =>
    waitFor(what, () => Promise.resolve(announced.find(match)), 20_000);

  it('reads every agent once, then only the ones that changed', async () => {
    poller.watch();
    // A poll reads the rows written since the oldest transaction running at the previous read, on the
    // whole server: while another database's transaction (a test running beside this one on a shared
    // server) was older than the fleet's insert, the next poll reads the fleet again (the poller filters
    // what it has seen). Once none is, a poll reads nothing.
    const quiet = await waitFor(
      'the baseline, then a poll that reads nothing',
      () => Promise.resolve(reads.findIndex((r, i) => i > 0 && r.rows === 0) + 1 || undefined),
      20_000,
    );
    expect(reads[0]!.rows).toBe(FLEET);

    // Three sessions start on this node.
    await sql.query(
      `UPDATE agents SET connection_status = 'online', node_id = $1, connected_at = now()
        WHERE id IN ('live-00001', 'live-05000', 'live-10000')`,
      [c.central.node.id],
    );
    const online = await announcement('three agents online', (a) =>
      a.agents.some((x) => x.id === 'live-05000' && x.status === 'online'),
    );
    expect(online.agents.map((a) => [a.id, a.status])).toEqual([
      ['live-00001', 'online'],
      ['live-05000', 'online'],
      ['live-10000', 'online'],
    ]);
    const after = reads.slice(quiet);
    // A poll reads the rows written since the one before: a handful, never the fleet.
    expect(Math.max(...after.map((r) => r.rows))).toBeLessThanOrEqual(3);
    const full = reads[0]!.ms;
    const incremental = after.reduce((sum, r) => sum + r.ms, 0) / after.length;
    console.log(
      `live agent status at ${FLEET} agents: first read ${full.toFixed(0)} ms, then ${incremental.toFixed(1)} ms per poll`,
    );
  }, 60_000);

  it('announces a deleted agent as removed', async () => {
    await sql.query(`DELETE FROM agents WHERE id = 'live-00002'`);
    const gone = await announcement('the deleted agent', (a) => a.removed.includes('live-00002'));
    expect(gone.removed).toEqual(['live-00002']);
  }, 60_000);

  it('shows the agents of a node whose heartbeat stopped disconnected, without a write to their rows', async () => {
    await sql.query(`INSERT INTO central_nodes (id, name, heartbeat_at) VALUES ('node-gone', 'gone', now())`);
    await sql.query(
      `UPDATE agents SET connection_status = 'online', node_id = 'node-gone', connected_at = now()
        WHERE id IN ('live-00100', 'live-00200')`,
    );
    await announcement('online on the other node', (a) =>
      a.agents.some((x) => x.id === 'live-00200' && x.status === 'online'),
    );
    const before = reads.length;
    await sql.query(
      `UPDATE central_nodes SET heartbeat_at = now() - interval '1 hour' WHERE id = 'node-gone'`,
    );
    const down = await announcement('disconnected with their node', (a) =>
      a.agents.some((x) => x.id === 'live-00200' && x.status === 'disconnected'),
    );
    expect(down.agents.map((a) => [a.id, a.status])).toEqual([
      ['live-00100', 'disconnected'],
      ['live-00200', 'disconnected'],
    ]);
    expect(Math.max(...reads.slice(before).map((r) => r.rows))).toBeLessThanOrEqual(2);
  }, 60_000);
});
