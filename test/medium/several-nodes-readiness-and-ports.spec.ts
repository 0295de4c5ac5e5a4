import pg from 'pg';
import { NODE_LEASE_CLASS, NodeLease } from '../../apps/central/src/cluster/node-lease.js';
import { startTestCentral, type TestCentral } from '../support/in-process-central.js';
import { freePorts, waitFor } from '../support/ports.js';
import { RawAgent } from '../support/raw-agent.js';
import { createTestDatabase, type TestDatabase } from '../support/test-database.js';

/**
 * Issue 15 (ADR 34), two nodes on one database, B with its own agent ports from its variables.
 * - The plain strand check judges each agent on the port its own node listens on: moving the settings'
 *   plain port strands nobody on B, whose port comes from SWITCHYARD_AGENT_PLAIN_PORT.
 * - A node whose lease PostgreSQL freed may be declared dead by the others at any moment, so
 *   `/api/ready` answers 503 with the reason until it holds the lease again (a balancer then drains
 *   it). The lease connection of node A is ended with pg_terminate_backend while new connections to
 *   the database are refused, so A cannot take it again until the test lets it.
 */
describe('several nodes: per-node plain ports in the strand check, readiness from the lease (real PostgreSQL)', () => {
  let db: TestDatabase;
  let a: TestCentral;
  let b: TestCentral;
  let sql: pg.Client;
  /** On another database of the server: PostgreSQL refuses to disallow connections to one's own. */
  let admin: pg.Client;
  let database = '';
  let bPlain = 0;

  const allowConnections = (allow: boolean) =>
    admin.query(`ALTER DATABASE "${database.replace(/"/g, '')}" ALLOW_CONNECTIONS ${allow}`);
  const ready = async (node: TestCentral) => {
    const res = await fetch(new URL('/api/ready', node.central.adminUrl));
    return { status: res.status, body: (await res.json()) as { message?: string } };
  };

  beforeAll(async () => {
    db = await createTestDatabase();
    a = await startTestCentral(db.url, { heartbeatMs: 1000 });
    // Node B on the same host: its own agent ports, the same master key (one installation).
    const [plain, secure] = await freePorts(2);
    bPlain = plain!;
    b = await startTestCentral(db.url, {
      heartbeatMs: 1000,
      dataDir: a.dataDir,
      env: { SWITCHYARD_AGENT_PLAIN_PORT: String(plain), SWITCHYARD_AGENT_SECURE_PORT: String(secure) },
    });
    sql = new pg.Client({ connectionString: db.url });
    await sql.connect();
    database = (await sql.query<{ name: string }>('SELECT current_database() AS name')).rows[0]!.name;
    // Not template1 on a shared server: CREATE DATABASE of other suites copies it and needs it unused.
    const other = new URL(db.url);
    other.pathname = database === 'postgres' ? '/template1' : '/postgres';
    admin = new pg.Client({ connectionString: other.toString() });
    await admin.connect();
  });
  afterAll(async () => {
    await allowConnections(true).catch(() => undefined);
    await admin?.end();
    await sql?.end();
    await b?.stop();
    await a?.stop();
    await db?.drop();
  });

  it("moving the settings' plain port strands only agents of nodes that follow it; closing plain strands both", async () => {
    const plainOf = async (nodeId: string) =>
      (
        await a.api.ok<
          Array<{ nodeId: string; listeners: Array<{ kind: string; address: string; port: number }> }>
        >('GET', '/api/listeners')
      )
        .find((n) => n.nodeId === nodeId)
        ?.listeners.find((l) => l.kind === 'plain');
    // Plain on every interface, on both nodes (B applies the change it hears of through NOTIFY).
    await a.api.ok('PUT', '/api/settings/websocket', { plain: { bindAddress: '0.0.0.0' } });
    await waitFor('node B listens on every interface', async () =>
      (await plainOf(b.central.node.id))?.address === '0.0.0.0' ? true : undefined,
    );
    expect(await plainOf(b.central.node.id)).toMatchObject({ port: bPlain });
    const { token } = await a.api.ok<{ token: string }>('POST', '/api/agents/enrollment-tokens', {
      expiresInMinutes: 5,
    });
    // Remote agents: they dial 127.0.0.2, another address of this machine.
    const onA = await RawAgent.connect({
      url: `ws://127.0.0.2:${a.ports.plain}/agent`,
      agentId: 'on-a',
      secret: token,
    });
    const onB = await RawAgent.connect({
      url: `ws://127.0.0.2:${bPlain}/agent`,
      agentId: 'on-b',
      secret: token,
    });
    try {
      const [newPort] = await freePorts(1);
      const moved = await a.api.call<{ error: string; agents: Array<{ id: string; nodeId: string }> }>(
        'PUT',
        '/api/settings/websocket',
        { plain: { port: newPort } },
      );
      expect(moved.status).toBe(409);
      expect(moved.body.error).toBe('would_strand_agents');
      // B keeps listening on its own port: its agent is not cut off by the move.
      expect(moved.body.agents.map((x) => x.id)).toEqual(['on-a']);

      const closed = await a.api.call<{ agents: Array<{ id: string }> }>('PUT', '/api/settings/websocket', {
        plain: { enabled: false },
      });
      expect(closed.status).toBe(409);
      expect(closed.body.agents.map((x) => x.id)).toEqual(['on-a', 'on-b']);
    } finally {
      onA.socket.close();
      onB.socket.close();
    }
    await a.api.ok('PUT', '/api/settings/websocket', { plain: { bindAddress: '127.0.0.1' }, force: true });
  });

  it('answers 503 naming the lost lease while it is not held (also once declared dead), 200 once held again', async () => {
    expect((await ready(a)).status).toBe(200);
    expect((await ready(b)).status).toBe(200);
    const key = a.central.app.get(NodeLease).heldKey;
    expect(key).toBeDefined();
    const nodeRow = () =>
      sql.query('SELECT 1 FROM central_nodes WHERE id = $1', [a.central.node.id]).then((r) => r.rowCount);
    // The other node must trust its own lease first (3 s), or it judges nobody.
    await waitFor('node B trusts its own lease', async () =>
      b.central.app.get(NodeLease).heldForMs() > 3_500 ? true : undefined,
    );

    await allowConnections(false);
    const terminated = await sql.query<{ done: boolean }>(
      `SELECT pg_terminate_backend(l.pid) AS done FROM pg_locks l
        WHERE l.locktype = 'advisory' AND l.granted AND l.objsubid = 2
          AND l.classid = $1::bigint::oid AND l.objid = $2::bigint::oid`,
      [NODE_LEASE_CLASS, key],
    );
    expect(terminated.rows.map((r) => r.done)).toEqual([true]);

    const lost = await waitFor('node A not ready', async () => {
      const r = await ready(a);
      return r.status === 503 ? r : undefined;
    });
    expect(lost.body.message).toMatch(/^node lease lost [\d.]+ s ago \(its PostgreSQL connection closed/);
    // The process still answers, and the other node is not affected.
    expect((await fetch(new URL('/api/health', a.central.adminUrl))).status).toBe(200);
    expect((await ready(b)).status).toBe(200);

    // Node B finds the lease free at two checks in a row and declares A dead; A stays out of rotation.
    await waitFor('node B declared node A dead', async () => ((await nodeRow()) === 0 ? true : undefined));
    const stillLost = await ready(a);
    expect(stillLost.status).toBe(503);
    expect(stillLost.body.message).toMatch(/taking it again failed: .*/);

    await allowConnections(true);
    await waitFor(
      'node A ready again',
      async () => ((await ready(a)).status === 200 ? true : undefined),
      15_000,
    );
    expect(a.central.app.get(NodeLease).heldKey).toBeDefined();
    // Holding the lease again, it publishes itself at once (and closes the sessions B marked).
    await waitFor('node A listed again', async () => ((await nodeRow()) === 1 ? true : undefined));
    expect((await ready(b)).status).toBe(200);
  }, 60_000);
});
