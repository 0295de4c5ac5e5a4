import { UsersService } from '../../apps/central/src/users/users.service.js';
import { ApiClient } from '../support/api-client.js';
import { ADMIN_PASSWORD, startTestCentral, type TestCentral } from '../support/in-process-central.js';
import { send } from '../support/send-from.js';
import { createTestDatabase, type TestDatabase } from '../support/test-database.js';

/** A logged-in session as a browser holds it: the session cookie and the CSRF token. */
interface RawSession {
  cookie: string;
  csrf: string;
}

async function loginRaw(baseUrl: string, from: string, username: string, password: string) {
  const r = await send(baseUrl, from, 'POST', '/api/auth/login', { body: { username, password } });
  const setCookie = r.headers['set-cookie'] ?? [];
  const session: RawSession = {
    cookie: (setCookie.find((c) => c.startsWith('switchyard_session=')) ?? '').split(';')[0],
    csrf: String(r.body.csrfToken ?? ''),
  };
  return { reply: r, session };
}

interface AuditRow {
  at: string;
  actor: string;
  address: string | null;
  action: string;
  target: string | null;
  outcome: string;
  details: Record<string, unknown>;
}

describe('roles, users, CSRF and the login rate limit (real PostgreSQL)', () => {
  let db: TestDatabase;
  let c: TestCentral;
  let base: string;
  const auditOf = (search: string) =>
    c.api.ok<AuditRow[]>('GET', `/api/audit?limit=500&search=${encodeURIComponent(search)}`);
  const newUser = async (username: string, role: string, password = `${username}-password-1`) => {
    await c.api.ok('POST', '/api/users', { username, role, password });
    const api = new ApiClient(c.central.adminUrl);
    await api.login(username, password);
    return api;
  };

  beforeAll(async () => {
    db = await createTestDatabase();
    c = await startTestCentral(db.url);
    base = c.central.adminUrl;
  });
  afterAll(async () => {
    await c?.stop();
    await db?.drop();
  });

  it('viewer reads everything but every write answers 403 naming the role; nothing changes; refusals are audited', async () => {
    const viewer = await newUser('vera', 'viewer');
    expect(await viewer.ok('GET', '/api/auth/me')).toEqual({
      username: 'vera',
      role: 'viewer',
      permissions: {
        'settings.write': false,
        'certificates.write': false,
        'profiles.write': false,
        'rollouts.write': false,
        'migration.write': false,
        'agents.write': false,
        'users.manage': false,
      },
    });
    for (const path of [
      '/api/settings/websocket',
      '/api/agents',
      '/api/agents/enrollment-tokens',
      '/api/certificates/server',
      '/api/listeners',
      '/api/audit',
      '/api/migration',
    ]) {
      expect([path, (await viewer.call('GET', path)).status]).toEqual([path, 200]);
    }
    const settingsBefore = await c.api.ok('GET', '/api/settings/websocket');
    const tokensBefore = await c.api.ok<unknown[]>('GET', '/api/agents/enrollment-tokens');
    const usersBefore = await c.api.ok('GET', '/api/users');

    const refused = [
      await viewer.call('PUT', '/api/settings/websocket', { secure: { enabled: true } }),
      await viewer.upload('/api/certificates/server/import', [{ name: 'x.pem', bytes: Buffer.from('x') }]),
      await viewer.call('POST', '/api/certificates/server/self-signed', {}),
      await viewer.call('POST', '/api/agents/enrollment-tokens', { description: 'viewer' }),
      await viewer.call('POST', '/api/users', {
        username: 'eve',
        role: 'admin',
        password: 'eve-password-12',
      }),
      await viewer.call('PUT', '/api/users/vera/role', { role: 'admin' }),
      await viewer.call('DELETE', '/api/users/admin'),
      await viewer.call('POST', '/api/migration/advance', { reason: 'x' }),
    ];
    for (const r of refused) {
      expect(r.status).toBe(403);
      expect(r.body).toMatchObject({ error: 'forbidden', code: 'role_insufficient', role: 'viewer' });
    }
    expect(refused[0].body).toMatchObject({ requiredRoles: ['admin'] });
    expect((refused[0].body as { message: string }).message).toMatch(/needs the admin role; you are viewer/);
    expect(refused[3].body).toMatchObject({ requiredRoles: ['operator', 'admin'] });
    // user management is admin only, reads included
    expect((await viewer.call('GET', '/api/users')).status).toBe(403);

    expect(await c.api.ok('GET', '/api/settings/websocket')).toEqual(settingsBefore);
    expect(await c.api.ok('GET', '/api/agents/enrollment-tokens')).toEqual(tokensBefore);
    expect(await c.api.ok('GET', '/api/users')).toEqual(usersBefore);

    const audit = (await auditOf('vera')).filter((a) => a.actor === 'vera' && a.outcome === 'refused');
    expect(audit.map((a) => a.action)).toEqual(
      expect.arrayContaining([
        'PUT /api/settings/websocket',
        'POST /api/certificates/server/import',
        'POST /api/agents/enrollment-tokens',
        'POST /api/users',
        'DELETE /api/users/:username',
      ]),
    );
    expect(audit.find((a) => a.action === 'PUT /api/settings/websocket')).toMatchObject({
      address: '127.0.0.1',
      details: { reason: 'role', role: 'viewer', requiredRoles: ['admin'] },
    });
  });

  it('operator creates an enrollment token but cannot change settings or users', async () => {
    const operator = await newUser('otto', 'operator');
    const me = await operator.ok<{ permissions: Record<string, boolean> }>('GET', '/api/auth/me');
    expect(me.permissions).toMatchObject({
      'agents.write': true,
      'settings.write': false,
      'users.manage': false,
    });
    const token = await operator.call<{ token: string }>('POST', '/api/agents/enrollment-tokens', {
      description: 'by an operator',
    });
    expect(token.status).toBe(201);
    expect(token.body.token).toMatch(/^syt_/);
    const put = await operator.call('PUT', '/api/settings/websocket', { secure: { enabled: true } });
    expect(put).toMatchObject({ status: 403, body: { error: 'forbidden', requiredRoles: ['admin'] } });
    expect((await operator.call('POST', '/api/certificates/server/self-signed', {})).status).toBe(403);
    expect((await operator.call('GET', '/api/users')).status).toBe(403);
  });

  it('admin creates users, changes roles (effective at once), resets passwords (ending sessions) and deletes users', async () => {
    const created = await c.api.call<Record<string, unknown>>('POST', '/api/users', {
      username: 'uma',
      role: 'viewer',
      password: 'uma-password-12',
    });
    expect(created.status).toBe(201);
    expect(created.body).toMatchObject({ username: 'uma', role: 'viewer' });
    expect(JSON.stringify(created.body)).not.toMatch(/password|scrypt/);
    expect(
      await c.api.call('POST', '/api/users', { username: 'uma', role: 'viewer', password: 'x'.repeat(12) }),
    ).toMatchObject({ status: 409, body: { error: 'conflict', code: 'user_already_exists' } });
    expect(
      await c.api.call('POST', '/api/users', { username: 'short', role: 'viewer', password: 'eleven-char' }),
    ).toMatchObject({ status: 400, body: { error: 'validation_failed' } });
    expect(
      await c.api.call('POST', '/api/users', { username: 'bad', role: 'root', password: 'x'.repeat(12) }),
    ).toMatchObject({ status: 400 });
    const list = await c.api.ok<Array<{ username: string; role: string }>>('GET', '/api/users');
    expect(list).toEqual(
      expect.arrayContaining([expect.objectContaining({ username: 'uma', role: 'viewer' })]),
    );
    expect(JSON.stringify(list)).not.toMatch(/scrypt/);

    const uma = new ApiClient(base);
    await uma.login('uma', 'uma-password-12');
    expect((await uma.call('POST', '/api/agents/enrollment-tokens', {})).status).toBe(403);
    expect(await c.api.ok('PUT', '/api/users/uma/role', { role: 'operator' })).toEqual({
      username: 'uma',
      role: 'operator',
    });
    // the same session, the new role
    expect((await uma.call('POST', '/api/agents/enrollment-tokens', {})).status).toBe(201);
    expect(await uma.ok('GET', '/api/auth/me')).toMatchObject({ role: 'operator' });

    await c.api.ok('PUT', '/api/users/uma/password', { password: 'uma-new-password-12' });
    expect((await uma.call('GET', '/api/auth/me')).status).toBe(401);
    await expect(uma.login('uma', 'uma-password-12')).rejects.toThrow(/401/);
    await uma.login('uma', 'uma-new-password-12');

    expect((await c.api.call('PUT', '/api/users/nobody/role', { role: 'viewer' })).status).toBe(404);
    expect(await c.api.ok('DELETE', '/api/users/uma')).toEqual({ deleted: 'uma' });
    expect((await uma.call('GET', '/api/auth/me')).status).toBe(401);
    expect((await c.api.call('DELETE', '/api/users/uma')).status).toBe(404);
    const audit = await auditOf('/api/users');
    expect(audit.find((a) => a.action === 'PUT /api/users/:username/password')).toMatchObject({
      actor: 'admin',
      target: 'uma',
      outcome: 'success',
    });
    expect(JSON.stringify(audit)).not.toContain('uma-new-password-12');
  });

  it('keeps the last admin: no self-deletion, no demotion or deletion of the only admin, not even by a race', async () => {
    expect(await c.api.call('DELETE', '/api/users/admin')).toMatchObject({
      status: 409,
      body: { code: 'cannot_delete_yourself', message: expect.stringMatching(/yourself/) },
    });
    expect(await c.api.call('PUT', '/api/users/admin/role', { role: 'operator' })).toMatchObject({
      status: 409,
      body: { code: 'last_admin', message: expect.stringMatching(/last admin/) },
    });
    // Deleting the only admin needs another admin to do it, so ask the service as that someone else.
    await expect(c.central.app.get(UsersService).delete('admin', 'someone-else')).rejects.toThrow(
      /last admin/,
    );

    // Two admins demoting each other at the same moment: exactly one stays admin.
    const ada = await newUser('ada', 'admin');
    const results = await Promise.all([
      c.api.call('PUT', '/api/users/ada/role', { role: 'viewer' }),
      ada.call('PUT', '/api/users/admin/role', { role: 'viewer' }),
    ]);
    const users = await ada.call<Array<{ username: string; role: string }>>('GET', '/api/users');
    const admins = (
      users.status === 200 ? users.body : await c.api.ok<typeof users.body>('GET', '/api/users')
    )
      .filter((u) => u.role === 'admin')
      .map((u) => u.username);
    expect(admins).toHaveLength(1);
    // the loser is refused by the last-admin check (409), or already by its new role (403)
    const statuses = results.map((r) => r.status).sort();
    expect(statuses[0]).toBe(200);
    expect([403, 409]).toContain(statuses[1]);
    // put things back for the tests that follow
    if (admins[0] === 'ada') await ada.ok('PUT', '/api/users/admin/role', { role: 'admin' });
    expect(await c.api.ok('GET', '/api/auth/me')).toMatchObject({ role: 'admin' });
  });

  it('users change their own password with the current one; their other sessions end', async () => {
    const first = await newUser('paul', 'viewer', 'paul-password-12');
    const second = new ApiClient(base);
    await second.login('paul', 'paul-password-12');
    expect(
      await first.call('POST', '/api/auth/password', {
        currentPassword: 'wrong-password',
        newPassword: 'paul-password-34',
      }),
    ).toMatchObject({ status: 403 });
    expect(
      await first.call('POST', '/api/auth/password', {
        currentPassword: 'paul-password-12',
        newPassword: 'short',
      }),
    ).toMatchObject({ status: 400 });
    expect(
      await first.ok('POST', '/api/auth/password', {
        currentPassword: 'paul-password-12',
        newPassword: 'paul-password-34',
      }),
    ).toEqual({ changed: true });
    expect((await first.call('GET', '/api/auth/me')).status).toBe(200);
    expect((await second.call('GET', '/api/auth/me')).status).toBe(401);
    await expect(second.login('paul', 'paul-password-12')).rejects.toThrow(/401/);
    await second.login('paul', 'paul-password-34');
  });

  it('CSRF: a cookie-authenticated write without the session’s X-CSRF-Token is refused with 403 and changes nothing', async () => {
    const { session } = await loginRaw(base, '127.0.0.1', 'admin', ADMIN_PASSWORD);
    const { session: other } = await loginRaw(base, '127.0.0.1', 'admin', ADMIN_PASSWORD);
    expect(session.csrf).toMatch(/^syc_/);
    const settingsBefore = await c.api.ok('GET', '/api/settings/websocket');
    const tokensBefore = await c.api.ok<unknown[]>('GET', '/api/agents/enrollment-tokens');
    const write = (path: string, method: string, body: unknown, csrf?: string) =>
      send(base, '127.0.0.1', method, path, {
        body,
        headers: { cookie: session.cookie, ...(csrf === undefined ? {} : { 'x-csrf-token': csrf }) },
      });
    for (const csrf of [undefined, '', 'syc_wrong', other.csrf]) {
      const put = await write('/api/settings/websocket', 'PUT', { secure: { enabled: true } }, csrf);
      expect([csrf, put.status, put.body.error]).toEqual([csrf, 403, 'csrf_failed']);
      const post = await write('/api/agents/enrollment-tokens', 'POST', { description: 'csrf' }, csrf);
      expect([csrf, post.status, post.body.error]).toEqual([csrf, 403, 'csrf_failed']);
    }
    expect(await c.api.ok('GET', '/api/settings/websocket')).toEqual(settingsBefore);
    expect(await c.api.ok('GET', '/api/agents/enrollment-tokens')).toEqual(tokensBefore);
    // reads need no token; the right token passes
    expect(
      (await send(base, '127.0.0.1', 'GET', '/api/auth/me', { headers: { cookie: session.cookie } })).status,
    ).toBe(200);
    expect(
      (await write('/api/agents/enrollment-tokens', 'POST', { description: 'csrf ok' }, session.csrf)).status,
    ).toBe(201);
    const audit = await auditOf('PUT /api/settings/websocket');
    expect(audit.filter((a) => a.details.reason === 'missing or wrong X-CSRF-Token')).toHaveLength(4);
  });

  it('logout deletes the session and clears both cookies', async () => {
    const { session } = await loginRaw(base, '127.0.0.1', 'admin', ADMIN_PASSWORD);
    const headers = { cookie: session.cookie, 'x-csrf-token': session.csrf };
    const out = await send(base, '127.0.0.1', 'POST', '/api/auth/logout', { headers });
    expect(out.status).toBe(200);
    expect(out.headers['set-cookie']).toEqual([
      expect.stringMatching(/^switchyard_session=;.*Expires=Thu, 01 Jan 1970/),
      expect.stringMatching(/^switchyard_csrf=;.*Expires=Thu, 01 Jan 1970/),
    ]);
    expect((await send(base, '127.0.0.1', 'GET', '/api/auth/me', { headers })).status).toBe(401);
    expect(
      (await send(base, '127.0.0.1', 'POST', '/api/agents/enrollment-tokens', { headers, body: {} })).status,
    ).toBe(401);
  });

  it('audits every login success and failure with UTC time, address and user name, never the password', async () => {
    // (not 'admin': the rate-limit test below counts that account's failures)
    expect((await loginRaw(base, '127.0.0.5', 'vera', 'not-the-password')).reply.status).toBe(401);
    expect((await loginRaw(base, '127.0.0.5', 'nosuchuser', 'not-the-password')).reply.status).toBe(401);
    expect((await loginRaw(base, '127.0.0.6', 'admin', ADMIN_PASSWORD)).reply.status).toBe(200);
    const audit = (await auditOf('login')).filter((a) => a.action === 'login');
    const fromFive = audit.filter((a) => a.address === '127.0.0.5');
    expect(fromFive.map((a) => [a.actor, a.outcome]).sort()).toEqual([
      ['nosuchuser', 'refused'],
      ['vera', 'refused'],
    ]);
    const success = audit.find((a) => a.address === '127.0.0.6');
    expect(success).toMatchObject({ actor: 'admin', outcome: 'success', target: 'admin' });
    expect(new Date(success!.at).toISOString()).toBe(success!.at);
    expect(JSON.stringify(audit)).not.toMatch(/not-the-password|test-admin-password/);
  });

  // Last: it leaves the admin account "under attack" for a minute.
  it('rate limit: the 11th failure in a minute from one address answers 429, yet the real admin logs in from another', async () => {
    const attacker = '127.0.0.9';
    for (let i = 1; i <= 10; i++) {
      const r = await loginRaw(base, attacker, 'admin', `guess-${i}`);
      expect([i, r.reply.status]).toEqual([i, 401]);
      expect(r.reply.body.message).toBe('wrong user name or password');
    }
    const limited = (await loginRaw(base, attacker, 'admin', 'guess-11')).reply;
    expect(limited.status).toBe(429);
    expect(limited.body).toMatchObject({ error: 'too_many_attempts', code: 'too_many_login_attempts' });
    const retryAfter = Number(limited.headers['retry-after']);
    expect(retryAfter).toBeGreaterThanOrEqual(1);
    expect(retryAfter).toBeLessThanOrEqual(60);
    // the right password from the limited address: still 429, and the same answer for a user that does not exist
    const right = (await loginRaw(base, attacker, 'admin', ADMIN_PASSWORD)).reply;
    expect(right.status).toBe(429);
    const ghost = (await loginRaw(base, attacker, 'ghost', 'guess')).reply;
    expect(ghost.status).toBe(429);
    expect(ghost.body.message).toBe(limited.body.message);

    // The account is under attack (10 failures): an address with a clean record still logs in...
    const real = await loginRaw(base, '127.0.0.10', 'admin', ADMIN_PASSWORD);
    expect(real.reply.status).toBe(200);
    expect(
      (await send(base, '127.0.0.10', 'GET', '/api/auth/me', { headers: { cookie: real.session.cookie } }))
        .status,
    ).toBe(200);
    // ...while an address that has failed once gets no further guesses at this account for now.
    expect((await loginRaw(base, '127.0.0.11', 'admin', 'guess-12')).reply.status).toBe(401);
    expect((await loginRaw(base, '127.0.0.11', 'admin', ADMIN_PASSWORD)).reply.status).toBe(429);

    const audit = (await auditOf('login')).filter((a) => a.action === 'login' && a.address === attacker);
    expect(audit.filter((a) => a.outcome === 'refused')).toHaveLength(13);
    expect(audit.filter((a) => a.details.reason === 'rate limited (address)')).toHaveLength(3);
  });

  it('rate limit holds against parallel guesses: never more than 10 checked per minute from one address', async () => {
    const replies = await Promise.all(
      Array.from({ length: 16 }, (_, i) => loginRaw(base, '127.0.0.12', `user-${i}`, 'guess')),
    );
    const statuses = replies.map((r) => r.reply.status);
    expect(statuses.every((s) => s === 401 || s === 429)).toBe(true);
    expect(statuses.filter((s) => s === 401).length).toBeLessThanOrEqual(10);
    // and the window is full or closes for the next one
    const more: number[] = [];
    for (let i = 0; i < 11; i++)
      more.push((await loginRaw(base, '127.0.0.12', `next-${i}`, 'guess')).reply.status);
    expect(statuses.filter((s) => s === 401).length + more.filter((s) => s === 401).length).toBe(10);
  });
});

describe('session expiry (real PostgreSQL, seconds-long sessions)', () => {
  let db: TestDatabase;
  let c: TestCentral;
  beforeAll(async () => {
    db = await createTestDatabase();
    // idle 3 s (sliding), absolute 9 s: margins wide enough for a loaded CI machine, where one
    // request can take a second
    c = await startTestCentral(db.url, {
      env: { SWITCHYARD_SESSION_IDLE_MINUTES: '0.05', SWITCHYARD_SESSION_MAX_HOURS: '0.0025' },
    });
  });
  afterAll(async () => {
    await c?.stop();
    await db?.drop();
  });
  const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
  const sessionRows = async () =>
    (
      (await c.central.database.dataSource.query('SELECT count(*)::int AS n FROM admin_sessions')) as Array<{
        n: number;
      }>
    )[0].n;

  it('rejects a session idle for longer than the idle limit with 401 and deletes it', async () => {
    const api = new ApiClient(c.central.adminUrl);
    await api.login('admin', ADMIN_PASSWORD);
    expect((await api.call('GET', '/api/auth/me')).status).toBe(200);
    const before = await sessionRows();
    await sleep(4000);
    expect((await api.call('GET', '/api/auth/me')).status).toBe(401);
    expect(await sessionRows()).toBe(before - 1);
  });

  it('slides the idle limit with each request, but ends the session at its absolute lifetime', async () => {
    const api = new ApiClient(c.central.adminUrl);
    // the session is created before this instant; its absolute end lies at most 9 s after it
    await api.login('admin', ADMIN_PASSWORD);
    const afterLogin = Date.now();
    // a request every 0.5 s for 6 s after the login: about twice the idle limit, so the session lives only
    // because the limit slides, and the last request falls before the earliest possible absolute end
    // (counted from the login's answer: a login slowed by a loaded machine must not shorten the walk)
    let requests = 0;
    while (Date.now() - afterLogin < 6000) {
      expect((await api.call('GET', '/api/auth/me')).status).toBe(200);
      requests += 1;
      await sleep(500);
    }
    expect(Date.now() - afterLogin).toBeGreaterThan(5000);
    expect(requests).toBeGreaterThan(4);
    await sleep(Math.max(0, afterLogin + 9500 - Date.now()));
    const again = await api.call('GET', '/api/auth/me');
    expect(again.status).toBe(401);
  });
});
