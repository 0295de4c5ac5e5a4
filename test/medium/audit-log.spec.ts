// The audit log an operator reads: one line per action, in words, filtered by the server, exported as CSV.
import { startTestCentral, type TestCentral } from '../support/in-process-central.js';
import { createTestDatabase, type TestDatabase } from '../support/test-database.js';

interface Entry {
  id: string;
  at: string;
  actor: string;
  action: string;
  summary: string;
  target: string | null;
  outcome: string;
}

describe('audit log (real PostgreSQL)', () => {
  let db: TestDatabase;
  let c: TestCentral;
  const list = (q = '') => c.api.ok<Entry[]>('GET', `/api/audit${q}`);

  beforeAll(async () => {
    db = await createTestDatabase();
    c = await startTestCentral(db.url);
  });
  afterAll(async () => {
    await c?.stop();
    await db?.drop();
  });

  it('records a login once, in words (not also as its route)', async () => {
    const entries = await list('?actor=admin');
    expect(entries.filter((e) => e.action === 'POST /api/auth/login')).toEqual([]);
    expect(
      entries.filter((e) => e.action === 'login' && e.outcome === 'success').length,
    ).toBeGreaterThanOrEqual(1);
  });

  it('records an API write as its route with a summary in words, and filters by outcome, action and time (a 400 is "refused")', async () => {
    const start = new Date(Date.now() - 1000).toISOString();
    await c.api.ok('POST', '/api/agents/enrollment-tokens', {});
    const refused = await c.api.call('PUT', '/api/settings/websocket', { plain: { port: 0 } });
    expect(refused.status).toBe(400);

    const token = (await list(`?action=${encodeURIComponent('/api/agents/enrollment-tokens')}`))[0]!;
    expect(token).toMatchObject({ actor: 'admin', outcome: 'success', summary: 'create enrollment token' });
    const refusedNow = await list(`?outcome=refused&from=${encodeURIComponent(start)}`);
    expect(refusedNow.map((e) => e.summary)).toEqual(['change WebSocket settings']);
    expect(await list(`?from=${encodeURIComponent(new Date(Date.now() + 60_000).toISOString())}`)).toEqual(
      [],
    );
    expect((await c.api.call('GET', '/api/audit?outcome=maybe')).status).toBe(400);
  });

  it('exports the filtered log as CSV', async () => {
    const res = await c.api.call<string>('GET', '/api/audit/export?outcome=success&actor=admin');
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toMatch(/^text\/csv/);
    expect(res.headers.get('content-disposition')).toMatch(
      /attachment; filename="switchyard-audit-\d+T\d+Z\.csv"/,
    );
    const lines = (res.body as unknown as string).trim().split('\r\n');
    expect(lines[0]).toBe('at,actor,address,summary,action,target,outcome,details');
    expect(lines.some((l) => l.includes(',create enrollment token,'))).toBe(true);
    expect(lines.slice(1).every((l) => l.includes(',admin,') && l.includes(',success'))).toBe(true);
  });
});
