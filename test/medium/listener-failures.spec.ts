import { createServer, type Server } from 'node:net';
import { startTestCentral, type TestCentral } from '../support/in-process-central.js';
import { freePorts } from '../support/ports.js';
import { createTestDatabase, type TestDatabase } from '../support/test-database.js';

interface NodeListeners {
  listeners: Array<{ kind: string; port: number }>;
  failed: Array<{ kind: string; address: string; port: number; reason: string; since: string }>;
}

/** Issue 16 point 6: a listener that failed to bind says why in GET /api/listeners, until it binds. */
describe('listener bind failures in GET /api/listeners (real PostgreSQL, real sockets)', () => {
  let db: TestDatabase;
  let c: TestCentral;
  let blocker: Server;
  let ports: { http: number; plain: number; secure: number };

  beforeAll(async () => {
    db = await createTestDatabase();
    const [http, plain, secure] = await freePorts(3);
    ports = { http, plain, secure };
    blocker = createServer();
    await new Promise<void>((r) => blocker.listen(plain, '127.0.0.1', () => r()));
    c = await startTestCentral(db.url, { ports, heartbeatMs: 1000 });
  });
  afterAll(async () => {
    blocker?.close();
    await c?.stop();
    await db?.drop();
  });

  it('lists the plain listener that could not bind at boot, with the reason in words', async () => {
    const [node] = await c.api.ok<NodeListeners[]>('GET', '/api/listeners');
    expect(node.listeners.map((l) => l.kind)).toEqual([]);
    expect(node.failed).toEqual([
      {
        kind: 'plain',
        address: '127.0.0.1',
        port: ports.plain,
        // …and how to give a second node on this host its own port (ADR 34)
        reason: `port ${ports.plain} on 127.0.0.1 is already in use by another process (another central node on this host? give each node its own port with SWITCHYARD_AGENT_PLAIN_PORT)`,
        since: expect.any(String),
      },
    ]);
  });

  it('keeps no failure once a refused change is rolled back, and clears it when the listener binds', async () => {
    const [moveTo, taken] = await freePorts(2);
    const other = createServer();
    await new Promise<void>((r) => other.listen(taken, '127.0.0.1', () => r()));
    const refused = await c.api
      .call('PUT', '/api/settings/websocket', { plain: { port: taken } })
      .finally(() => other.close());
    expect(refused.status).toBe(409);
    let [node] = await c.api.ok<NodeListeners[]>('GET', '/api/listeners');
    expect(node.failed.map((f) => f.kind)).toEqual(['plain']);

    await c.api.ok('PUT', '/api/settings/websocket', { plain: { port: moveTo } });
    [node] = await c.api.ok<NodeListeners[]>('GET', '/api/listeners');
    expect(node.failed).toEqual([]);
    expect(node.listeners.find((l) => l.kind === 'plain')?.port).toBe(moveTo);
  });
});
