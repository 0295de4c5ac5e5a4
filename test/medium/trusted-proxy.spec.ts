// Central behind a reverse proxy (SWITCHYARD_TRUSTED_PROXIES): logins through the trusted proxy are
// limited and audited per client named in X-Forwarded-For; the same header from anyone else is ignored.
import { startTestCentral, type TestCentral } from '../support/in-process-central.js';
import { send } from '../support/send-from.js';
import { createTestDatabase, type TestDatabase } from '../support/test-database.js';

const PROXY = '127.0.0.5';
const STRANGER = '127.0.0.6';

describe('trusted reverse proxy: the client address for the login limit and the audit log', () => {
  let db: TestDatabase;
  let c: TestCentral;
  const login = (from: string, client: string, password: string) =>
    send(c.central.adminUrl, from, 'POST', '/api/auth/login', {
      body: { username: 'admin', password },
      headers: { 'x-forwarded-for': client },
    });
  const addresses = async (search: string) =>
    (
      await c.api.ok<Array<{ address: string | null; details: Record<string, unknown> }>>(
        'GET',
        `/api/audit?limit=100&search=${encodeURIComponent(search)}`,
      )
    ).map((r) => r.address);

  beforeAll(async () => {
    db = await createTestDatabase();
    c = await startTestCentral(db.url, {
      env: { SWITCHYARD_TRUSTED_PROXIES: `${PROXY}/32`, SWITCHYARD_LOGIN_FAILURES_PER_MINUTE: '3' },
    });
  });
  afterAll(async () => {
    await c?.stop();
    await db?.drop();
  });

  it('limits each client behind the proxy on its own and audits the client, not the proxy', async () => {
    for (let i = 1; i <= 3; i++) expect((await login(PROXY, '203.0.113.7', `guess-${i}`)).status).toBe(401);
    expect((await login(PROXY, '203.0.113.7', 'guess-4')).status).toBe(429);
    // Another client behind the same proxy is not caught by the first one's failures.
    expect((await login(PROXY, '203.0.113.8', 'wrong')).status).toBe(401);
    const audited = await addresses('login');
    expect(audited).toContain('203.0.113.7');
    expect(audited).toContain('203.0.113.8');
    expect(audited).not.toContain(PROXY);
  });

  it('ignores X-Forwarded-For from a peer that is not a trusted proxy', async () => {
    const r = await login(STRANGER, '198.51.100.99', 'wrong-again');
    expect(r.status).toBe(401);
    const audited = await addresses('login');
    expect(audited).toContain(STRANGER);
    expect(audited).not.toContain('198.51.100.99');
  });
});
