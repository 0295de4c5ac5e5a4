// Issue 14, point 8: any valid enrollment token took over an enrolled, online agent id (the real agent was
// closed with 4409 and its credential died), and enrolling cleared a revocation. These are the regressions.
import { request } from 'node:http';
import { CloseCode } from '../../libs/protocol/index.js';
import { ApiClient } from '../support/api-client.js';
import { startTestCentral, type TestCentral } from '../support/in-process-central.js';
import { RawAgent } from '../support/raw-agent.js';
import { createTestDatabase, type TestDatabase } from '../support/test-database.js';

interface AuditEntry {
  action: string;
  target: string | null;
  outcome: string;
  details: Record<string, unknown>;
}

interface TokenRow {
  id: string;
  uses: number;
  agentId: string | null;
  agentIdPrefix: string | null;
  group: string | null;
}

/** The HTTP answer to an agent upgrade (status and JSON body), or 101 when it was accepted. */
function upgrade(
  port: number,
  agentId: string,
  secret: string,
): Promise<{ status: number; body: { error?: string } }> {
  return new Promise((resolve, reject) => {
    const req = request({
      host: '127.0.0.1',
      port,
      path: '/agent',
      headers: {
        connection: 'Upgrade',
        upgrade: 'websocket',
        'sec-websocket-version': '13',
        'sec-websocket-key': 'dGhlIHNhbXBsZSBub25jZQ==',
        'x-switchyard-agent-id': agentId,
        authorization: `Bearer ${secret}`,
      },
    });
    req.on('upgrade', (_res, socket) => {
      socket.destroy();
      resolve({ status: 101, body: {} });
    });
    req.on('response', (res) => {
      let text = '';
      res.on('data', (d: Buffer) => (text += d.toString()));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, body: JSON.parse(text || '{}') }));
    });
    req.on('error', reject);
    req.end();
  });
}

describe('agent identity: an enrolled or revoked id is not anyone token holder’s to claim (real PostgreSQL)', () => {
  let db: TestDatabase;
  let c: TestCentral;
  let url: string;

  const newToken = (body: Record<string, unknown> = {}) =>
    c.api.ok<{ id: string; token: string } & Partial<TokenRow>>(
      'POST',
      '/api/agents/enrollment-tokens',
      body,
    );
  const tokens = () => c.api.ok<TokenRow[]>('GET', '/api/agents/enrollment-tokens');
  const refusals = async (agentId: string) =>
    (await c.api.ok<AuditEntry[]>('GET', `/api/audit?limit=500&search=${agentId}`)).filter(
      (e) => e.action === 'agent enrollment' && e.outcome === 'refused' && e.target === agentId,
    );
  const enroll = async (agentId: string, secret: string) => {
    const agent = await RawAgent.connect({ url, agentId, secret });
    return { agent, credential: (await agent.welcome()).credential as string };
  };

  beforeAll(async () => {
    db = await createTestDatabase();
    c = await startTestCentral(db.url, { heartbeatMs: 1000 });
    url = `ws://127.0.0.1:${c.ports.plain}/agent`;
  });
  afterAll(async () => {
    await c?.stop();
    await db?.drop();
  });

  it('another token cannot take over an online enrolled agent: 409 at the upgrade, audited, the agent stays connected and its credential keeps working', async () => {
    const first = await newToken();
    const { agent, credential } = await enroll('till-7', first.token);
    const thief = await newToken();

    const refused = await upgrade(c.ports.plain, 'till-7', thief.token);
    expect(refused.status).toBe(409);
    expect(refused.body.error).toMatch(/^agent id already enrolled/);
    // The token it enrolled with is no retry once the agent used its credential, either.
    expect((await upgrade(c.ports.plain, 'till-7', first.token)).status).toBe(409);

    await new Promise((r) => setTimeout(r, 300));
    expect(agent.socket.readyState).toBe(agent.socket.OPEN);
    expect(agent.frames.filter((f) => f.type === 'welcome')).toHaveLength(1);
    expect((await c.api.ok<{ status: string }>('GET', '/api/agents/till-7')).status).toBe('online');
    expect((await tokens()).find((t) => t.id === thief.id)?.uses).toBe(0);
    const audit = await refusals('till-7');
    expect(audit.map((e) => e.details.reason)).toEqual([
      expect.stringMatching(/^agent id already enrolled/),
      expect.stringMatching(/^agent id already enrolled/),
    ]);

    agent.socket.close();
    await agent.closed;
    const again = await RawAgent.connect({ url, agentId: 'till-7', secret: credential });
    expect((await again.welcome()).credential).toBeUndefined();
    again.socket.close();
  });

  it('enrolling never lifts a revocation: a revoked id is refused with any ordinary token', async () => {
    const { agent } = await enroll('till-8', (await newToken()).token);
    await c.api.ok('DELETE', '/api/agents/till-8');
    expect((await agent.closed).code).toBe(CloseCode.AGENT_REVOKED);

    const refused = await upgrade(c.ports.plain, 'till-8', (await newToken()).token);
    expect(refused.status).toBe(403);
    expect(refused.body.error).toMatch(/^agent id revoked/);
    const row = await c.api.ok<{ revokedAt: string | null }>('GET', '/api/agents/till-8');
    expect(row.revokedAt).not.toBeNull();
    expect((await refusals('till-8')).map((e) => e.details.reason)).toEqual([
      expect.stringMatching(/^agent id revoked/),
    ]);
  });

  it('an admin re-enroll token works once, only for its agent: replaces the credential and admits a revoked agent again', async () => {
    // till-8 was revoked above; only an admin may issue the token.
    await c.api.ok('POST', '/api/users', { username: 'olga', role: 'operator', password: 'olga-password-1' });
    const operator = new ApiClient(c.central.adminUrl);
    await operator.login('olga', 'olga-password-1');
    expect((await operator.call('POST', '/api/agents/till-8/re-enroll', {})).status).toBe(403);
    expect((await c.api.call('POST', '/api/agents/nobody/re-enroll', {})).status).toBe(404);
    expect((await c.api.call('POST', '/api/agents/till-8/re-enroll', { expiresInMinutes: 0 })).status).toBe(
      400,
    );

    const reEnroll = await c.api.ok<{ id: string; token: string; agentId: string; maxUses: number }>(
      'POST',
      '/api/agents/till-8/re-enroll',
      {},
    );
    expect(reEnroll).toMatchObject({ agentId: 'till-8', maxUses: 1 });
    const listed = (await tokens()).find((t) => t.id === reEnroll.id);
    expect(listed).toMatchObject({ agentId: 'till-8', uses: 0 });

    const elsewhere = await upgrade(c.ports.plain, 'till-9', reEnroll.token);
    expect(elsewhere).toEqual({
      status: 403,
      body: { error: 'enrollment token is a re-enroll token for agent till-8, not till-9' },
    });

    const { agent, credential } = await enroll('till-8', reEnroll.token);
    expect(credential).toMatch(/^sya_/);
    expect((await c.api.ok<{ revokedAt: string | null }>('GET', '/api/agents/till-8')).revokedAt).toBeNull();
    agent.socket.close();
    await agent.closed;
    (await RawAgent.connect({ url, agentId: 'till-8', secret: credential })).socket.close();
    expect((await upgrade(c.ports.plain, 'till-8', reEnroll.token)).status).toBe(401); // used up

    // On an online agent (a device swap): the new device takes the id, the old session and credential end.
    const { agent: old, credential: oldCredential } = await enroll('till-10', (await newToken()).token);
    const swap = await c.api.ok<{ token: string }>('POST', '/api/agents/till-10/re-enroll', {});
    const { agent: replacement } = await enroll('till-10', swap.token);
    expect((await old.closed).code).toBe(CloseCode.REPLACED);
    expect((await upgrade(c.ports.plain, 'till-10', oldCredential)).status).toBe(401);
    replacement.socket.close();

    const audit = await c.api.ok<AuditEntry[]>('GET', '/api/audit?limit=500&search=re-enroll');
    expect(audit.filter((e) => e.action === 'POST /api/agents/:id/re-enroll').map((e) => e.outcome)).toEqual(
      expect.arrayContaining(['success', 'refused']),
    );
  });

  it('a token limited to an id prefix refuses other ids; a token with a group puts the agent in it', async () => {
    const shops = await newToken({ agentIdPrefix: 'shop-', group: 'north' });
    expect(shops).toMatchObject({ agentIdPrefix: 'shop-', group: 'north' });
    expect((await tokens()).find((t) => t.id === shops.id)).toMatchObject({
      agentIdPrefix: 'shop-',
      group: 'north',
    });

    const outside = await upgrade(c.ports.plain, 'depot-1', shops.token);
    expect(outside).toEqual({
      status: 403,
      body: { error: 'enrollment token only enrolls agent ids starting with "shop-"; depot-1 does not' },
    });
    expect((await refusals('depot-1')).length).toBe(1);

    const { agent } = await enroll('shop-1', shops.token);
    expect((await c.api.ok<{ groups: string[] }>('GET', '/api/agents/shop-1')).groups).toEqual(['north']);
    agent.socket.close();

    const bad = await c.api.call('POST', '/api/agents/enrollment-tokens', {
      agentIdPrefix: 'shop/*',
      group: '',
    });
    expect(bad.status).toBe(400);
    expect(JSON.stringify(bad.body)).toContain('agentIdPrefix');
    expect(JSON.stringify(bad.body)).toContain('group');
  });

  it('documents the re-enroll route and the token fields in OpenAPI', async () => {
    const doc = await c.api.ok<{ paths: Record<string, Record<string, Record<string, unknown>>> }>(
      'GET',
      '/api/docs/openapi.json',
    );
    const reEnroll = doc.paths['/api/agents/{id}/re-enroll']!.post!;
    expect(reEnroll['x-roles']).toEqual(['admin']);
    const body = JSON.stringify(doc.paths['/api/agents/enrollment-tokens']!.post!.requestBody);
    expect(body).toContain('agentIdPrefix');
    expect(body).toContain('"group"');
  });
});
