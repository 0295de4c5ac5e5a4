import { ApiClient } from '../support/api-client.js';
import { startTestCentral, type TestCentral } from '../support/in-process-central.js';
import { createTestDatabase, type TestDatabase } from '../support/test-database.js';

interface SessionRow {
  id: string;
  username: string;
  role: string;
  address: string | null;
  startedAt: string;
  lastUsedAt: string;
  current: boolean;
}

interface AuditRow {
  actor: string;
  action: string;
  target: string | null;
  outcome: string;
}

describe('login sessions: listed and ended through /api/auth/sessions (real PostgreSQL)', () => {
  let db: TestDatabase;
  let c: TestCentral;
  const login = async (username: string, password: string) => {
    const api = new ApiClient(c.central.adminUrl);
    await api.login(username, password);
    return api;
  };

  beforeAll(async () => {
    db = await createTestDatabase();
    c = await startTestCentral(db.url);
    await c.api.ok('POST', '/api/users', { username: 'olga', role: 'operator', password: 'olga-password-1' });
    await c.api.ok('POST', '/api/users', { username: 'vic', role: 'viewer', password: 'vic-password-12' });
  });
  afterAll(async () => {
    await c?.stop();
    await db?.drop();
  });

  it('everyone lists their own sessions only, marked current, with address and times, never a token', async () => {
    const olga1 = await login('olga', 'olga-password-1');
    await login('olga', 'olga-password-1');
    await login('vic', 'vic-password-12');
    const mine = await olga1.ok<SessionRow[]>('GET', '/api/auth/sessions');
    expect(mine).toHaveLength(2);
    expect(new Set(mine.map((s) => s.username))).toEqual(new Set(['olga']));
    expect(mine.filter((s) => s.current)).toHaveLength(1);
    for (const s of mine) {
      expect(s.id).toMatch(/^[0-9a-f-]{36}$/);
      expect(s.address).toMatch(/127\.0\.0\.1/);
      expect(Date.parse(s.startedAt)).toBeLessThanOrEqual(Date.parse(s.lastUsedAt));
      expect(JSON.stringify(s)).not.toMatch(/sys_|token|hash/i);
    }
  });

  it("everyone's sessions need the admin role: 403 naming it for an operator, all users for an admin", async () => {
    const olga = await login('olga', 'olga-password-1');
    const refused = await olga.call<{ error: string; message: string }>(
      'GET',
      '/api/auth/sessions?scope=all',
    );
    expect(refused.status).toBe(403);
    expect(refused.body.message).toMatch(/admin role; you are operator/);
    const all = await c.api.ok<SessionRow[]>('GET', '/api/auth/sessions?scope=all');
    expect(new Set(all.map((s) => s.username))).toEqual(new Set(['admin', 'olga', 'vic']));
  });

  it('refuses a bad scope or a session id that is not one, naming what is wrong', async () => {
    const scope = await c.api.call<{ message: string }>('GET', '/api/auth/sessions?scope=everyone');
    expect(scope.status).toBe(400);
    expect(scope.body.message).toMatch(/scope: must be 'mine' or 'all'/);
    const id = await c.api.call<{ message: string }>('DELETE', '/api/auth/sessions/12');
    expect(id.status).toBe(400);
    expect(id.body.message).toMatch(/must be a session id/);
  });

  it('a non-admin cannot end (nor learn of) another user’s session; an admin can, and it ends at once', async () => {
    const vic = await login('vic', 'vic-password-12');
    const olga = await login('olga', 'olga-password-1');
    const vicSession = (await vic.ok<SessionRow[]>('GET', '/api/auth/sessions')).find((s) => s.current)!;
    const denied = await olga.call<{ message: string }>('DELETE', `/api/auth/sessions/${vicSession.id}`);
    expect(denied.status).toBe(404);
    expect(denied.body.message).toMatch(/no session/);
    expect((await vic.call('GET', '/api/auth/me')).status).toBe(200);

    expect(await c.api.ok('DELETE', `/api/auth/sessions/${vicSession.id}`)).toEqual({
      ended: vicSession.id,
      username: 'vic',
    });
    expect((await vic.call('GET', '/api/auth/me')).status).toBe(401);
    const again = await c.api.call('DELETE', `/api/auth/sessions/${vicSession.id}`);
    expect(again.status).toBe(404);

    const audit = await c.api.ok<AuditRow[]>('GET', `/api/audit?limit=50&search=${vicSession.id}`);
    expect(audit.map((a) => [a.actor, a.action, a.outcome])).toEqual(
      expect.arrayContaining([
        ['olga', 'DELETE /api/auth/sessions/:id', 'refused'],
        ['admin', 'DELETE /api/auth/sessions/:id', 'success'],
      ]),
    );
  });

  it('a user ends their own other session; ending the current one logs them out', async () => {
    const a = await login('olga', 'olga-password-1');
    const b = await login('olga', 'olga-password-1');
    const sessions = await a.ok<SessionRow[]>('GET', '/api/auth/sessions');
    const other = sessions.find((s) => !s.current)!;
    const bCurrent = (await b.ok<SessionRow[]>('GET', '/api/auth/sessions')).find((s) => s.current)!;
    expect(bCurrent).toBeDefined();
    await a.ok('DELETE', `/api/auth/sessions/${bCurrent.id}`);
    expect((await b.call('GET', '/api/auth/me')).status).toBe(401);
    expect(other).toBeDefined();
    const own = (await a.ok<SessionRow[]>('GET', '/api/auth/sessions')).find((s) => s.current)!;
    await a.ok('DELETE', `/api/auth/sessions/${own.id}`);
    expect((await a.call('GET', '/api/auth/me')).status).toBe(401);
  });

  it('the users list tells each user’s last login (null before the first)', async () => {
    await c.api.ok('POST', '/api/users', { username: 'newbie', role: 'viewer', password: 'newbie-password' });
    const before = await c.api.ok<Array<{ username: string; lastLoginAt: string | null }>>(
      'GET',
      '/api/users',
    );
    expect(before.find((u) => u.username === 'newbie')!.lastLoginAt).toBeNull();
    const t0 = Date.now();
    await login('newbie', 'newbie-password');
    const after = await c.api.ok<Array<{ username: string; lastLoginAt: string | null }>>(
      'GET',
      '/api/users',
    );
    expect(Date.parse(after.find((u) => u.username === 'newbie')!.lastLoginAt!)).toBeGreaterThan(t0 - 5000);
  });
});
