import pg from 'pg';
import { markDeadNodeSessions } from '../../apps/central/src/agents/dead-node-sessions.repository.js';
import { NODE_LEASE_CLASS } from '../../apps/central/src/cluster/node-lease.js';
import { NodeHeartbeat } from '../../apps/central/src/listeners/node-heartbeat.js';
import { CloseCode } from '../../libs/protocol/index.js';
import { startTestCentral, type TestCentral } from '../support/in-process-central.js';
import { freePorts, waitFor } from '../support/ports.js';
import { RawAgent } from '../support/raw-agent.js';
import { createTestDatabase, type TestDatabase } from '../support/test-database.js';

interface ListedNode {
  nodeId: string;
  listeners: Array<{ kind: string; port: number; configuredPort?: number; portFrom?: string }>;
}

/** A node that is only a lease and a row: "killing" it closes its PostgreSQL connection, as a crash does. */
async function ghostNode(url: string, id: string, key: number): Promise<pg.Client> {
  const lease = new pg.Client({ connectionString: url });
  await lease.connect();
  await lease.query('SELECT pg_advisory_lock($1, $2)', [NODE_LEASE_CLASS, key]);
  await lease.query(`INSERT INTO central_nodes (id, name, listeners, lease_key) VALUES ($1, $1, '[]', $2)`, [
    id,
    key,
  ]);
  lease.on('error', () => undefined);
  return lease;
}

describe('several nodes: per-node ports and a dead node seen through its lease (real PostgreSQL)', () => {
  let db: TestDatabase;
  let a: TestCentral;
  let b: TestCentral | undefined;
  let sql: pg.Client;

  beforeAll(async () => {
    db = await createTestDatabase();
    a = await startTestCentral(db.url, { heartbeatMs: 1000 });
    sql = new pg.Client({ connectionString: db.url });
    await sql.connect();
  });
  afterAll(async () => {
    await sql?.end();
    await b?.stop();
    await a?.stop();
    await db?.drop();
  });

  const status = async (id: string) =>
    (await sql.query(`SELECT connection_status, node_id FROM agents WHERE id = $1`, [id])).rows[0] as {
      connection_status: string;
      node_id: string;
    };

  it('a second node on the same host binds the ports of its own variables and lists them per node', async () => {
    const [http, plain, secure] = await freePorts(3);
    b = await startTestCentral(db.url, {
      ports: { http: http!, plain: a.ports.plain, secure: a.ports.secure },
      dataDir: a.dataDir, // the same master key: one installation
      env: { SWITCHYARD_AGENT_PLAIN_PORT: String(plain), SWITCHYARD_AGENT_SECURE_PORT: String(secure) },
    });
    const nodes = await b.api.ok<ListedNode[]>('GET', '/api/listeners');
    const mine = nodes.find((n) => n.nodeId === b!.central.node.id);
    expect(mine?.listeners.find((l) => l.kind === 'plain')).toMatchObject({
      port: plain,
      configuredPort: a.ports.plain,
      portFrom: 'SWITCHYARD_AGENT_PLAIN_PORT',
    });
    const first = nodes.find((n) => n.nodeId === a.central.node.id);
    expect(first?.listeners.find((l) => l.kind === 'plain')).toEqual(
      expect.not.objectContaining({ portFrom: expect.anything() }),
    );
    expect(first?.listeners.find((l) => l.kind === 'plain')?.port).toBe(a.ports.plain);

    // An agent reaches the second node on its own port.
    const token = (
      await b.api.ok<{ token: string }>('POST', '/api/agents/enrollment-tokens', { expiresInMinutes: 5 })
    ).token;
    const agent = await RawAgent.connect({
      url: `ws://127.0.0.1:${plain}/agent`,
      agentId: 'on-b',
      secret: token,
    });
    await agent.welcome();
    expect((await status('on-b')).node_id).toBe(b.central.node.id);
    agent.socket.close();
    await b.stop();
    b = undefined;
  });

  it("marks a dead node's agents disconnected within seconds of its lease connection closing, not the ones that moved", async () => {
    const lease = await ghostNode(db.url, 'ghost', 424242);
    await sql.query(
      `INSERT INTO agents (id, connection_status, node_id, session_id, last_seen_at)
       VALUES ('held', 'online', 'ghost', gen_random_uuid(), now()),
              ('moved', 'online', $1, gen_random_uuid(), now())`,
      [a.central.node.id],
    );
    // While the lease is held, nothing happens (the node is alive even if nothing else is seen of it).
    await new Promise((r) => setTimeout(r, 2500));
    expect((await status('held')).connection_status).toBe('online');

    const killedAt = Date.now();
    (lease as unknown as { connection: { stream: { destroy(): void } } }).connection.stream.destroy();
    await waitFor('held marked disconnected', async () =>
      (await status('held')).connection_status === 'disconnected' ? true : undefined,
    );
    const seconds = (Date.now() - killedAt) / 1000;
    // The heartbeat alone would take 20 s (ADR 5); the lease takes about two checks of one second.
    expect(seconds).toBeLessThan(6);
    expect((await status('moved')).connection_status).toBe('online');
    expect((await sql.query(`SELECT 1 FROM central_nodes WHERE id = 'ghost'`)).rowCount).toBe(0);
    // The live node itself is not touched.
    expect((await sql.query(`SELECT 1 FROM central_nodes WHERE id = $1`, [a.central.node.id])).rowCount).toBe(
      1,
    );
    await sql.query(`DELETE FROM agents WHERE id IN ('held', 'moved')`);
  });

  it('markDeadNodeSessions works on a plain pg client (a cluster primary) and only for that node', async () => {
    await sql.query(`INSERT INTO central_nodes (id, name, listeners) VALUES ('worker-gone', 'w', '[]')`);
    await sql.query(
      `INSERT INTO agents (id, connection_status, node_id, session_id, last_seen_at)
       VALUES ('w1', 'online', 'worker-gone', gen_random_uuid(), now()),
              ('w2', 'online', $1, gen_random_uuid(), now())`,
      [a.central.node.id],
    );
    expect(await markDeadNodeSessions(sql, 'worker-gone')).toBe(1);
    expect(await markDeadNodeSessions(sql, 'worker-gone')).toBe(0);
    expect((await status('w1')).connection_status).toBe('disconnected');
    expect((await status('w2')).connection_status).toBe('online');
    await sql.query(`DELETE FROM agents WHERE id IN ('w1', 'w2')`);
  });

  it('a node another node declared dead closes its sessions, so its agents come back with a true status', async () => {
    const token = (
      await a.api.ok<{ token: string }>('POST', '/api/agents/enrollment-tokens', { expiresInMinutes: 5 })
    ).token;
    const agent = await RawAgent.connect({
      url: `ws://127.0.0.1:${a.ports.plain}/agent`,
      agentId: 'declared-dead',
      secret: token,
    });
    // What a survivor does when it takes this node for dead (e.g. its lease connection was down too long).
    expect(await markDeadNodeSessions(sql, a.central.node.id)).toBe(1);
    expect((await status('declared-dead')).connection_status).toBe('disconnected');
    await a.central.app.get(NodeHeartbeat).beat();
    expect((await agent.closed).code).toBe(CloseCode.GOING_AWAY);
    expect((await sql.query(`SELECT 1 FROM central_nodes WHERE id = $1`, [a.central.node.id])).rowCount).toBe(
      1,
    );
  });
});
