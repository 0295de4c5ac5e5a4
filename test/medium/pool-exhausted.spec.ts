import { connect } from 'node:net';
import { type QueryRunner } from 'typeorm';
import { startTestCentral, type TestCentral } from '../support/in-process-central.js';
import { waitFor } from '../support/ports.js';
import { RawAgent } from '../support/raw-agent.js';
import { createTestDatabase, type TestDatabase } from '../support/test-database.js';

/** The raw HTTP answer to an upgrade on /agent (the response head and body as sent). */
function upgrade(port: number, agentId: string, secret: string): Promise<string> {
  return new Promise((resolve) => {
    const s = connect(port, '127.0.0.1', () =>
      s.write(
        `GET /agent HTTP/1.1\r\nHost: x\r\nUpgrade: websocket\r\nConnection: Upgrade\r\nSec-WebSocket-Version: 13\r\nSec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\nX-Switchyard-Agent-Id: ${agentId}\r\nAuthorization: Bearer ${secret}\r\n\r\n`,
      ),
    );
    let data = '';
    s.on('data', (d) => {
      data += d.toString();
      if (data.startsWith('HTTP/1.1 101')) s.destroy();
    });
    s.on('close', () => resolve(data));
    s.on('error', () => resolve(data));
  });
}

/**
 * Issue 15, "Bad input and faults": the database pool exhausted (every connection held by a statement
 * that does not end). Central keeps answering `/api/health`, `/api/ready` says why it is not ready
 * before a balancer's check would time out, an agent is refused with 503 + Retry-After (never left
 * half-registered), and once the pool frees up everything recovers by itself and the API shows exactly
 * the connected agents online.
 */
describe('the database pool exhausted (real PostgreSQL, pool of 3)', () => {
  let db: TestDatabase;
  let c: TestCentral;
  const runners: QueryRunner[] = [];
  const agents: RawAgent[] = [];

  beforeAll(async () => {
    db = await createTestDatabase();
    c = await startTestCentral(db.url, { env: { SWITCHYARD_DATABASE_POOL_SIZE: '3' } });
  });
  afterAll(async () => {
    for (const runner of runners) await runner.release().catch(() => undefined);
    for (const agent of agents) agent.socket.terminate();
    await c?.stop();
    await db?.drop();
  });

  it('answers health, refuses readiness and agents with a reason, and recovers when the pool frees', async () => {
    const url = `ws://127.0.0.1:${c.ports.plain}/agent`;
    const { token } = await c.api.ok<{ token: string }>('POST', '/api/agents/enrollment-tokens', {
      expiresInMinutes: 10,
    });
    agents.push(await RawAgent.connect({ url, agentId: 'before', secret: token }));

    // Every pool connection taken (as by statements that never end).
    const dataSource = c.central.database.dataSource;
    for (let i = 0; i < 3; i++) {
      const runner = dataSource.createQueryRunner();
      await runner.connect();
      runners.push(runner);
    }

    let started = Date.now();
    expect((await fetch(new URL('/api/health', c.central.adminUrl))).status).toBe(200);
    expect(Date.now() - started).toBeLessThan(3_000); // the pool would make it wait 10 s (load margin)

    started = Date.now();
    const ready = await fetch(new URL('/api/ready', c.central.adminUrl));
    const readyMs = Date.now() - started;
    expect(ready.status).toBe(503);
    expect(((await ready.json()) as { message: string }).message).toMatch(
      /^database unreachable: did not answer within 1\.5 s \(3 of 3 pool connections busy, \d+ statement\(s\) waiting for one\)$/,
    );
    expect(readyMs).toBeLessThan(2_000 + 1_000); // before a balancer's 2 s check gives up (load margin)

    // A new agent cannot be checked: refused at once with Retry-After and the reason, not after the pool's
    // 10 s wait, and not welcomed. A statement waits for a connection and none was handed out for a
    // while (the readiness probe above waited 1.5 s): the pool is stuck, not busy.
    void dataSource.query('SELECT 1').catch(() => undefined);
    started = Date.now();
    const refused = await upgrade(c.ports.plain, 'during', token);
    const refusedMs = Date.now() - started;
    expect(refused).toMatch(/^HTTP\/1\.1 503 Service Unavailable\r\n/);
    expect(refused).toContain("central's database pool is exhausted");
    expect(Number(/^Retry-After: (\d+)\r$/m.exec(refused)?.[1])).toBeGreaterThanOrEqual(1);
    expect(refusedMs).toBeLessThan(3_000); // the pool's own wait is 10 s (load margin)
    // An agent whose credential is in memory too: its hello could not be recorded either.
    const credential = (await agents[0]!.welcome()).credential as string;
    const again = await upgrade(c.ports.plain, 'before', credential);
    expect(again).toMatch(/^HTTP\/1\.1 503 Service Unavailable\r\n/);
    // The connected agent's session lives on.
    expect(agents[0]!.socket.readyState).toBe(agents[0]!.socket.OPEN);

    for (const runner of runners.splice(0)) await runner.release();
    await waitFor('ready again', async () =>
      (await fetch(new URL('/api/ready', c.central.adminUrl))).status === 200 ? true : undefined,
    );
    agents.push(await RawAgent.connect({ url, agentId: 'during', secret: token }));
    const online = await c.api.ok<Array<{ id: string }>>('GET', '/api/agents?status=online');
    expect(online.map((a) => a.id).sort()).toEqual(['before', 'during']);
    const metrics = await (await fetch(new URL('/metrics', c.central.adminUrl))).text();
    expect(metrics).toMatch(/^switchyard_agent_connections_refused_total\{reason="pool"\} [2-9]/m);
  }, 60_000);
});
