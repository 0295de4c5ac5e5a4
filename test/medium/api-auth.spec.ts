import { ApiClient } from '../support/api-client.js';
import { ADMIN_PASSWORD, startTestCentral, type TestCentral } from '../support/in-process-central.js';
import { createTestDatabase, type TestDatabase } from '../support/test-database.js';

describe('admin API authentication and audit (real PostgreSQL)', () => {
  let db: TestDatabase;
  let c: TestCentral;
  beforeAll(async () => {
    db = await createTestDatabase();
    c = await startTestCentral(db.url);
  });
  afterAll(async () => {
    await c?.stop();
    await db?.drop();
  });

  it('answers health and readiness without a session', async () => {
    const anon = new ApiClient(c.central.adminUrl);
    expect((await anon.call('GET', '/api/health')).status).toBe(200);
    expect(await anon.ok('GET', '/api/ready')).toEqual({ status: 'ready', database: 'ok' });
  });

  it.each([
    ['GET', '/api/agents'],
    ['GET', '/api/agents/x'],
    ['DELETE', '/api/agents/x'],
    ['POST', '/api/agents/enrollment-tokens'],
    ['GET', '/api/settings/websocket'],
    ['PUT', '/api/settings/websocket'],
    ['GET', '/api/listeners'],
    ['GET', '/api/certificates/server'],
    ['GET', '/api/audit'],
    ['GET', '/api/auth/me'],
  ])('refuses %s %s without a session', async (method, path) => {
    const anon = new ApiClient(c.central.adminUrl);
    const r = await anon.call(method, path, method === 'GET' ? undefined : {});
    expect(r.status).toBe(401);
  });

  it('refuses a wrong password with a generic message and audits it', async () => {
    const anon = new ApiClient(c.central.adminUrl);
    await expect(anon.login('admin', 'nope')).rejects.toThrow(/401.*wrong user name or password/);
    await expect(anon.login('ghost', 'nope')).rejects.toThrow(/401.*wrong user name or password/);
    const audit = await c.api.ok<Array<{ action: string; outcome: string; actor: string }>>(
      'GET',
      '/api/audit?search=login',
    );
    expect(audit.filter((a) => a.outcome === 'refused').map((a) => a.actor)).toEqual(
      expect.arrayContaining(['admin', 'ghost']),
    );
  });

  it('sets an httpOnly SameSite=Strict session cookie and a readable CSRF cookie, and logs out', async () => {
    const res = await fetch(new URL('/api/auth/login', c.central.adminUrl), {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ username: 'admin', password: ADMIN_PASSWORD }),
    });
    const [cookie, csrfCookie] = res.headers.getSetCookie();
    expect(cookie).toMatch(/^switchyard_session=sys_/);
    expect(cookie).toMatch(/HttpOnly/);
    expect(cookie).toMatch(/SameSite=Strict/);
    const { csrfToken } = (await res.json()) as { csrfToken: string };
    expect(csrfCookie).toMatch(new RegExp(`^switchyard_csrf=${csrfToken};`));
    expect(csrfCookie).not.toMatch(/HttpOnly/);
    expect(csrfCookie).toMatch(/SameSite=Strict/);
    const session = cookie.split(';')[0];
    const me = await fetch(new URL('/api/auth/me', c.central.adminUrl), { headers: { cookie: session } });
    expect(await me.json()).toMatchObject({ username: 'admin', role: 'admin' });
    const out = await fetch(new URL('/api/auth/logout', c.central.adminUrl), {
      method: 'POST',
      headers: { cookie: session, 'x-csrf-token': csrfToken },
    });
    expect(out.status).toBe(200);
    // both cookies are cleared
    expect(out.headers.getSetCookie().map((h) => h.split('=')[0])).toEqual([
      'switchyard_session',
      'switchyard_csrf',
    ]);
    const after = await fetch(new URL('/api/auth/me', c.central.adminUrl), { headers: { cookie: session } });
    expect(after.status).toBe(401);
  });

  it('records every write with who, when (UTC), from where and the outcome, without secrets', async () => {
    const created = await c.api.ok<{ token: string }>('POST', '/api/agents/enrollment-tokens', {
      description: 'audit test',
    });
    const bad = await c.api.call('PUT', '/api/settings/websocket', { plain: { port: 0 } });
    expect(bad.status).toBe(400);
    const audit = await c.api.ok<Array<Record<string, unknown>>>('GET', '/api/audit?limit=20');
    const tokenEntry = audit.find((a) => a.action === 'POST /api/agents/enrollment-tokens');
    expect(tokenEntry).toMatchObject({
      actor: 'admin',
      address: expect.stringMatching(/127\.0\.0\.1/),
      outcome: 'success',
    });
    expect(new Date(tokenEntry!.at as string).toISOString()).toBe(tokenEntry!.at);
    const refused = audit.find((a) => a.action === 'PUT /api/settings/websocket');
    expect(refused).toMatchObject({ outcome: 'refused' });
    expect(JSON.stringify(audit)).not.toContain(created.token);
    expect(JSON.stringify(audit)).not.toContain(ADMIN_PASSWORD);
  });

  it('answers malformed JSON with a 400, not a crash', async () => {
    const r = await c.api.call('PUT', '/api/settings/websocket', '{not json');
    expect(r.status).toBe(400);
    expect((await c.api.call('GET', '/api/health')).status).toBe(200);
  });
});
