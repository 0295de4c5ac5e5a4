import pg from 'pg';
import { type QueryRunner } from 'typeorm';
import { AgentSweeper } from '../../apps/central/src/agents/agent-sweeper.js';
import { AgentsRepository } from '../../apps/central/src/agents/agents.repository.js';
import { NODE_LEASE_CLASS } from '../../apps/central/src/cluster/node-lease.js';
import { NodeIdentity } from '../../apps/central/src/cluster/node-identity.js';
import { startTestCentral, type TestCentral } from '../support/in-process-central.js';
import { waitFor } from '../support/ports.js';
import { createTestDatabase, type TestDatabase } from '../support/test-database.js';

/**
 * Issue 15, "status stays true during a storm": with 100,000 agents on six workers, a worker's heartbeat
 * came more than 20 s late (its statements queued behind a busy pool); another worker's sweep took it for
 * dead and marked 19,884 connected agents disconnected, for good. A node is alive while PostgreSQL holds
 * its lease (ADR 34): the sweep leaves a late node's agents alone, the heartbeat does not queue behind
 * the pool, and a node declared dead loses its row, so that if it lives after all it closes its sessions.
 */
describe('a slow node keeps its agents shown online (real PostgreSQL)', () => {
  let db: TestDatabase;
  let c: TestCentral;
  let sql: pg.Client;
  let leaseHolder: pg.Client | undefined;

  const statusOf = async (id: string) =>
    (
      (await sql.query('SELECT connection_status FROM agents WHERE id = $1', [id])).rows[0] as {
        connection_status: string;
      }
    ).connection_status;
  /** The status operators see (the API's view): the stored status corrected by node liveness. */
  const shownStatus = async (id: string) => (await c.central.app.get(AgentsRepository).find(id))?.status;
  const nodeRowExists = async (id: string) =>
    ((await sql.query('SELECT 1 FROM central_nodes WHERE id = $1', [id])).rowCount ?? 0) > 0;

  /** A node row `id` that last beat `silentSeconds` ago, with one agent `agentId` online on it. */
  const slowNode = async (id: string, agentId: string, silentSeconds: number, leaseKey: number | null) => {
    await sql.query(
      `INSERT INTO central_nodes (id, name, listeners, lease_key, started_at, heartbeat_at)
       VALUES ($1, $1, '[]', $2, now() - interval '1 hour', now() - make_interval(secs => $3))`,
      [id, leaseKey, silentSeconds],
    );
    await sql.query(
      `INSERT INTO agents (id, connection_status, node_id, session_id, last_seen_at)
       VALUES ($1, 'online', $2, gen_random_uuid(), now() - interval '1 hour')`,
      [agentId, id],
    );
  };

  beforeAll(async () => {
    db = await createTestDatabase();
    c = await startTestCentral(db.url, { env: { SWITCHYARD_DATABASE_POOL_SIZE: '3' } });
    sql = new pg.Client({ connectionString: db.url });
    await sql.connect();
  });
  afterAll(async () => {
    await leaseHolder?.end().catch(() => undefined);
    await sql?.end();
    await c?.stop();
    await db?.drop();
  });

  it('the sweep leaves the agents of a late node that holds its lease, and takes them once it lets go', async () => {
    leaseHolder = new pg.Client({ connectionString: db.url });
    await leaseHolder.connect();
    const key = 4242;
    await leaseHolder.query('SELECT pg_advisory_lock($1, $2)', [NODE_LEASE_CLASS, key]);
    await slowNode('late', 'on-late', 30, key);
    const sweeper = c.central.app.get(AgentSweeper);

    // Late by 30 s but holding its lease: alive for the sweep and for the status operators see.
    expect(await shownStatus('on-late')).toBe('online');
    await sweeper.sweep();
    expect(await statusOf('on-late')).toBe('online');
    expect(await shownStatus('on-late')).toBe('online');
    expect(await nodeRowExists('late')).toBe(true);

    // Silent past the hung bound: dead even with its lease.
    await sql.query(
      `UPDATE central_nodes SET heartbeat_at = now() - interval '200 seconds' WHERE id = 'late'`,
    );
    await sweeper.sweep();
    expect(await statusOf('on-late')).toBe('disconnected');
    expect(await nodeRowExists('late')).toBe(false);

    // Late and its lease let go: dead at once.
    await slowNode('gone', 'on-gone', 30, key);
    await sweeper.sweep();
    expect(await statusOf('on-gone')).toBe('online');
    await leaseHolder.end();
    leaseHolder = undefined;
    // Shown disconnected as soon as PostgreSQL lets the lease go, before any sweep.
    await waitFor(
      'the released lease seen',
      async () => (await shownStatus('on-gone')) === 'disconnected',
      5_000,
    );
    await sweeper.sweep();
    expect(await statusOf('on-gone')).toBe('disconnected');
    expect(await nodeRowExists('gone')).toBe(false);

    // A node that never published a lease (an older version) is judged by its heartbeat alone.
    await slowNode('leaseless', 'on-leaseless', 30, null);
    expect(await shownStatus('on-leaseless')).toBe('disconnected');
    await sweeper.sweep();
    expect(await statusOf('on-leaseless')).toBe('disconnected');
  });

  it('beats on its lease connection while every pool connection is taken', async () => {
    const nodeId = c.central.app.get(NodeIdentity).id;
    const beatAt = async () =>
      (
        (await sql.query('SELECT heartbeat_at FROM central_nodes WHERE id = $1', [nodeId])).rows[0] as {
          heartbeat_at: Date;
        }
      ).heartbeat_at.getTime();
    const runners: QueryRunner[] = [];
    try {
      for (let i = 0; i < 3; i++) {
        const runner = c.central.database.dataSource.createQueryRunner();
        await runner.connect();
        runners.push(runner);
      }
      const before = await beatAt();
      // Beats come every 5 s; two of them while the pool stays exhausted.
      await waitFor('a heartbeat with the pool exhausted', async () => (await beatAt()) > before, 8_000);
      const second = await beatAt();
      await waitFor(
        'another heartbeat with the pool exhausted',
        async () => (await beatAt()) > second,
        8_000,
      );
    } finally {
      for (const runner of runners) await runner.release().catch(() => undefined);
    }
  });
});
