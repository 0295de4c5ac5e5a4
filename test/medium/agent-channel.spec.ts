import { connect } from 'node:net';
import pg from 'pg';
import { AgentSweeper } from '../../apps/central/src/agents/agent-sweeper.js';
import { CloseCode, MAX_FRAME_BYTES } from '../../libs/protocol/index.js';
import { startTestCentral, type TestCentral } from '../support/in-process-central.js';
import { waitFor } from '../support/ports.js';
import { RawAgent } from '../support/raw-agent.js';
import { createTestDatabase, type TestDatabase } from '../support/test-database.js';

interface AgentRow {
  id: string;
  status: string;
  transport: string | null;
  agentVersion: string | null;
  capabilities: string[];
  nodeId: string | null;
  lastSeenAt: string | null;
}

describe('agent channel: authentication at the upgrade, frames, heartbeats, status (real PostgreSQL)', () => {
  let db: TestDatabase;
  let c: TestCentral;
  let token: string;
  let url: string;
  const credentials = new Map<string, string>();

  const enroll = async (agentId: string, opts: { autoPong?: boolean } = {}) => {
    const agent = await RawAgent.connect({
      url,
      agentId,
      secret: credentials.get(agentId) ?? token,
      ...opts,
    });
    const welcome = await agent.welcome();
    if (typeof welcome.credential === 'string') credentials.set(agentId, welcome.credential);
    return agent;
  };
  const agentRow = (id: string) => c.api.ok<AgentRow>('GET', `/api/agents/${id}`);

  beforeAll(async () => {
    db = await createTestDatabase();
    c = await startTestCentral(db.url, { heartbeatMs: 1000 });
    url = `ws://127.0.0.1:${c.ports.plain}/agent`;
    token = (
      await c.api.ok<{ token: string }>('POST', '/api/agents/enrollment-tokens', { expiresInMinutes: 30 })
    ).token;
  });
  afterAll(async () => {
    await c?.stop();
    await db?.drop();
  });

  it('refuses an upgrade without credentials with 401 before any WebSocket exists', async () => {
    const raw = await new Promise<string>((resolve) => {
      const s = connect(c.ports.plain, '127.0.0.1', () =>
        s.write(
          'GET /agent HTTP/1.1\r\nHost: x\r\nUpgrade: websocket\r\nConnection: Upgrade\r\nSec-WebSocket-Version: 13\r\nSec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\nX-Switchyard-Agent-Id: a\r\n\r\n',
        ),
      );
      let data = '';
      s.on('data', (d) => (data += d.toString()));
      s.on('close', () => resolve(data));
    });
    expect(raw.startsWith('HTTP/1.1 401 Unauthorized')).toBe(true);
    expect(raw).not.toContain('101 Switching Protocols');
  });

  it('refuses a wrong credential, an unknown token and a foreign Origin', async () => {
    await expect(new RawAgent({ url, agentId: 'x1', secret: 'sya_wrong' }).opened).rejects.toThrow(
      'HTTP 401',
    );
    await expect(new RawAgent({ url, agentId: 'x1', secret: 'syt_unknown' }).opened).rejects.toThrow(
      'HTTP 401',
    );
    await expect(
      new RawAgent({ url, agentId: 'x1', secret: token, origin: 'https://evil.example' }).opened,
    ).rejects.toThrow('HTTP 403');
    await expect(new RawAgent({ url, agentId: '../bad', secret: token }).opened).rejects.toThrow('HTTP 400');
  });

  it('enrolls with a token, issues a credential, then accepts only the credential', async () => {
    const a = await enroll('branch-1.kiosk');
    const welcome = await a.welcome();
    expect(welcome).toMatchObject({
      type: 'welcome',
      agentId: 'branch-1.kiosk',
      nodeId: c.central.node.id,
      heartbeatIntervalMs: 1000,
    });
    expect(String(welcome.credential)).toMatch(/^sya_/);
    const row = await agentRow('branch-1.kiosk');
    expect(row).toMatchObject({
      status: 'online',
      transport: 'plain',
      agentVersion: '0.1.0',
      capabilities: ['wss'],
      nodeId: c.central.node.id,
    });
    a.socket.close();
    await a.closed;
    const again = await enroll('branch-1.kiosk');
    expect((await again.welcome()).credential).toBeUndefined();
    again.socket.close();
  });

  it('closes bad frames with 1007/1008/1009 and leaves other agents undisturbed', async () => {
    const bystander = await enroll('bystander');
    const before = await agentRow('bystander');

    const notJson = await enroll('bad-json');
    notJson.send('{oops');
    expect((await notJson.closed).code).toBe(CloseCode.INVALID_PAYLOAD);

    const unknown = await enroll('bad-type');
    unknown.send({ type: 'format.disk' });
    expect((await unknown.closed).code).toBe(CloseCode.POLICY_VIOLATION);

    const big = await enroll('too-big');
    big.send({ type: 'goodbye', reason: 'x'.repeat(MAX_FRAME_BYTES + 10) });
    expect((await big.closed).code).toBe(CloseCode.MESSAGE_TOO_BIG);

    const noHello = new RawAgent({ url, agentId: 'no-hello', secret: token });
    await noHello.opened;
    noHello.send({ type: 'goodbye' });
    expect((await noHello.closed).code).toBe(CloseCode.POLICY_VIOLATION);

    // the bystander's session is the same one, still answering
    expect(bystander.socket.readyState).toBe(bystander.socket.OPEN);
    const after = await agentRow('bystander');
    expect(after.status).toBe('online');
    expect(after).toMatchObject({ nodeId: before.nodeId });
    expect((await c.api.call('GET', '/api/health')).status).toBe(200);
    bystander.socket.close();
  });

  it('shows offline after a goodbye and disconnected after two missed pings', async () => {
    const polite = await enroll('polite');
    polite.send({ type: 'goodbye', reason: 'shutting down' });
    expect((await polite.closed).code).toBe(CloseCode.NORMAL);
    await waitFor('polite offline', async () => (await agentRow('polite')).status === 'offline');

    const silent = await enroll('silent', { autoPong: false });
    await waitFor('silent online', async () => (await agentRow('silent')).status === 'online');
    await silent.closed; // central terminates it after two missed pongs (~2-3 s at 1 s heartbeat)
    await waitFor('silent disconnected', async () => (await agentRow('silent')).status === 'disconnected');
  });

  it("an online agent is last seen at its node's heartbeat, and its row is not written while it stays", async () => {
    const sql = new pg.Client({ connectionString: db.url });
    await sql.connect();
    try {
      const agent = await enroll('steady');
      await waitFor('steady online', async () => (await agentRow('steady')).status === 'online');
      const row = async () =>
        (await sql.query(`SELECT xmin::text AS version, last_seen_at FROM agents WHERE id = 'steady'`))
          .rows[0] as { version: string; last_seen_at: Date };
      const before = await row();
      // Several heartbeat intervals (1 s here): the old design wrote every held agent's row at each one.
      await new Promise((r) => setTimeout(r, 2500));
      await c.api.ok('GET', '/api/listeners'); // the node beats now
      const beat = async () =>
        (
          (await sql.query(`SELECT max(heartbeat_at) AS at FROM central_nodes`)).rows[0] as { at: Date }
        ).at.getTime();
      const [beforeRead, shown, afterRead] = [await beat(), await agentRow('steady'), await beat()];
      expect([beforeRead, afterRead]).toContain(new Date(shown.lastSeenAt!).getTime());
      expect(beforeRead).toBeGreaterThan(before.last_seen_at.getTime() + 2000);
      expect(await row()).toEqual(before); // not one row version written while it stayed online
      agent.send({ type: 'goodbye', reason: 'closing time' });
      await waitFor('steady offline', async () => (await agentRow('steady')).status === 'offline');
      expect((await row()).last_seen_at.getTime()).toBeGreaterThan(before.last_seen_at.getTime() + 2000);
    } finally {
      await sql.end();
    }
  });

  it('agents a dead node left online are seen last at its last heartbeat, and their next gap counts from there', async () => {
    const sql = new pg.Client({ connectionString: db.url });
    await sql.connect();
    try {
      const roamer = await enroll('roamer');
      await waitFor('roamer online', async () => (await agentRow('roamer')).status === 'online');
      // A node that died a minute ago, still holding the agent since an hour ago (its row says so).
      await sql.query(
        `INSERT INTO central_nodes (id, name, listeners, started_at, heartbeat_at)
         VALUES ('ghost', 'ghost', '[]', now() - interval '2 hours', now() - interval '60 seconds')`,
      );
      await sql.query(
        `UPDATE agents SET node_id = 'ghost', session_id = gen_random_uuid(), last_seen_at = now() - interval '1 hour'
          WHERE id = 'roamer'`,
      );
      roamer.socket.terminate(); // its session on this node no longer matches the row: nothing is written
      const ghost = (await sql.query(`SELECT heartbeat_at FROM central_nodes WHERE id = 'ghost'`))
        .rows[0] as {
        heartbeat_at: Date;
      };
      await waitFor(
        'roamer shown disconnected',
        async () => (await agentRow('roamer')).status === 'disconnected',
      );
      expect(new Date((await agentRow('roamer')).lastSeenAt!).getTime()).toBe(ghost.heartbeat_at.getTime());

      const back = await enroll('roamer');
      await waitFor('roamer online again', async () => (await agentRow('roamer')).status === 'online');
      const { rows } = await sql.query(
        `SELECT offline_gap_seconds AS gap FROM agent_connections WHERE agent_id = 'roamer' ORDER BY id DESC LIMIT 1`,
      );
      // About a minute since the dead node's last heartbeat; not the hour since the row was last written.
      expect(rows[0].gap).toBeGreaterThanOrEqual(59);
      expect(rows[0].gap).toBeLessThan(600);
      back.socket.close();

      // The sweeper writes what the view showed into the rows of a dead node's agents, and forgets the
      // node (its periodic run may have done so already: the row is put back as it was).
      await sql.query(
        `INSERT INTO central_nodes (id, name, listeners, started_at, heartbeat_at)
         VALUES ('ghost', 'ghost', '[]', now() - interval '2 hours', $1) ON CONFLICT (id) DO NOTHING`,
        [ghost.heartbeat_at],
      );
      await sql.query(
        `INSERT INTO agents (id, connection_status, node_id, session_id, last_seen_at)
         VALUES ('left-behind', 'online', 'ghost', gen_random_uuid(), now() - interval '1 hour')`,
      );
      await c.central.app.get(AgentSweeper).sweep();
      const swept = (
        await sql.query(`SELECT connection_status, last_seen_at FROM agents WHERE id = 'left-behind'`)
      ).rows[0] as { connection_status: string; last_seen_at: Date };
      expect(swept.connection_status).toBe('disconnected');
      expect(swept.last_seen_at.getTime()).toBe(ghost.heartbeat_at.getTime());
      expect((await sql.query(`SELECT 1 FROM central_nodes WHERE id = 'ghost'`)).rowCount).toBe(0);
    } finally {
      await sql.query(`DELETE FROM central_nodes WHERE id = 'ghost'`);
      await sql.end();
    }
  });

  it('revoking an agent closes its session with 4403 and refuses its credential afterwards', async () => {
    const victim = await enroll('to-revoke');
    expect((await c.api.call('DELETE', '/api/agents/to-revoke')).status).toBe(200);
    expect((await victim.closed).code).toBe(CloseCode.AGENT_REVOKED);
    await expect(
      new RawAgent({ url, agentId: 'to-revoke', secret: credentials.get('to-revoke') }).opened,
    ).rejects.toThrow('HTTP 401');
    expect((await c.api.call('DELETE', '/api/agents/to-revoke')).status).toBe(404);
  });

  it('a second connection of the same agent replaces the first', async () => {
    const first = await enroll('twice');
    const second = await enroll('twice');
    expect((await first.closed).code).toBe(CloseCode.REPLACED);
    await new Promise((r) => setTimeout(r, 200));
    expect((await agentRow('twice')).status).toBe('online');
    second.socket.close();
  });

  it('lists agents with filters and never_connected for enrolled-but-silent ones', async () => {
    const list = await c.api.ok<AgentRow[]>('GET', '/api/agents?status=offline');
    expect(list.map((a) => a.id)).toContain('polite');
    expect(list.every((a) => a.status === 'offline')).toBe(true);
    const bad = await c.api.call('GET', '/api/agents?status=sleeping');
    expect(bad.status).toBe(400);
    expect(JSON.stringify(bad.body)).toContain('status');
    expect((await c.api.call('GET', '/api/agents/nobody')).status).toBe(404);
    // enrolled at the upgrade but never said hello
    expect((await agentRow('no-hello')).status).toBe('never_connected');
  });

  it('enrollment tokens expire, can be limited in uses and revoked', async () => {
    const limited = await c.api.ok<{ id: string; token: string }>('POST', '/api/agents/enrollment-tokens', {
      maxUses: 1,
    });
    const ok = await RawAgent.connect({ url, agentId: 'one-use-a', secret: limited.token });
    ok.socket.close();
    await expect(new RawAgent({ url, agentId: 'one-use-b', secret: limited.token }).opened).rejects.toThrow(
      'HTTP 401',
    );
    const revocable = await c.api.ok<{ id: string; token: string }>(
      'POST',
      '/api/agents/enrollment-tokens',
      {},
    );
    expect((await c.api.call('DELETE', `/api/agents/enrollment-tokens/${revocable.id}`)).status).toBe(200);
    await expect(new RawAgent({ url, agentId: 'late', secret: revocable.token }).opened).rejects.toThrow(
      'HTTP 401',
    );
    const listed = await c.api.ok<Array<Record<string, unknown>>>('GET', '/api/agents/enrollment-tokens');
    expect(JSON.stringify(listed)).not.toContain(revocable.token);
    expect((await c.api.call('POST', '/api/agents/enrollment-tokens', { expiresInMinutes: 0 })).status).toBe(
      400,
    );
  });

  const tokenUses = async (id: string) =>
    (await c.api.ok<Array<{ id: string; uses: number }>>('GET', '/api/agents/enrollment-tokens')).find(
      (t) => t.id === id,
    )?.uses;

  it('counts the uses of a token exactly when many agents enroll with it at once', async () => {
    const enrollAll = (prefix: string, secret: string, n: number) =>
      Promise.allSettled(
        Array.from({ length: n }, async (_, i) => {
          const agent = new RawAgent({ url, agentId: `${prefix}-${i}`, secret });
          await agent.opened;
          agent.socket.close();
        }),
      );

    const limited = await c.api.ok<{ id: string; token: string }>('POST', '/api/agents/enrollment-tokens', {
      maxUses: 5,
    });
    const crowd = await enrollAll('crowd', limited.token, 20);
    expect(crowd.filter((r) => r.status === 'fulfilled')).toHaveLength(5);
    for (const r of crowd.filter((x) => x.status === 'rejected'))
      expect(String((r as PromiseRejectedResult).reason)).toContain('HTTP 401');
    expect(await tokenUses(limited.id)).toBe(5);

    const fleet = await c.api.ok<{ id: string; token: string }>('POST', '/api/agents/enrollment-tokens', {});
    const all = await enrollAll('fleet', fleet.token, 40);
    expect(all.filter((r) => r.status === 'fulfilled')).toHaveLength(40);
    expect(await tokenUses(fleet.id)).toBe(40);
  });

  it('enrolls an agent again without using its token when the credential never reached it', async () => {
    const token = await c.api.ok<{ id: string; token: string }>('POST', '/api/agents/enrollment-tokens', {
      maxUses: 2,
    });
    // Enrolled at the upgrade, then the connection drops before hello: welcome (the credential) is lost.
    const lost = new RawAgent({ url, agentId: 'lost-welcome', secret: token.token });
    await lost.opened;
    lost.socket.terminate();
    expect(await tokenUses(token.id)).toBe(1);

    const again = await RawAgent.connect({ url, agentId: 'lost-welcome', secret: token.token });
    const credential = (await again.welcome()).credential as string;
    expect(credential).toMatch(/^sya_/);
    again.socket.close();
    expect(await tokenUses(token.id)).toBe(1); // the retry did not use the token again
    const audit = await c.api.ok<Array<{ target: string; details: Record<string, unknown> }>>(
      'GET',
      '/api/audit?search=lost-welcome',
    );
    expect(audit.some((a) => typeof a.details.retry === 'string')).toBe(true);

    // The second device gets its share; a third is refused.
    (await RawAgent.connect({ url, agentId: 'second-device', secret: token.token })).socket.close();
    await expect(new RawAgent({ url, agentId: 'third-device', secret: token.token }).opened).rejects.toThrow(
      'HTTP 401',
    );

    // Once the agent has connected with its credential, the token is no retry for it any more.
    (await RawAgent.connect({ url, agentId: 'lost-welcome', secret: credential })).socket.close();
    await expect(new RawAgent({ url, agentId: 'lost-welcome', secret: token.token }).opened).rejects.toThrow(
      'HTTP 401',
    );
    expect(await tokenUses(token.id)).toBe(2);
  });
});
