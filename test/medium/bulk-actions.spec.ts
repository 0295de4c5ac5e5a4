// Bulk actions on agents (issue 16 point 2, ADR 40): ids or a filter, counts (matched, changed, skipped with
// reasons), one transaction per action, one audit record per action, a dry run that changes nothing.
// 5,000 agents are seeded by SQL: registered agents that are offline need no socket.
import { createHash, randomBytes } from 'node:crypto';
import pg from 'pg';
import { ApiClient } from '../support/api-client.js';
import { startTestCentral, type TestCentral } from '../support/in-process-central.js';
import { createTestDatabase, type TestDatabase } from '../support/test-database.js';

interface BulkResult {
  action: string;
  dryRun: boolean;
  selection: string;
  matched: number;
  changed: number;
  skipped: Array<{ reason: string; count: number; agentIds: string[] }>;
}

interface AuditEntry {
  action: string;
  summary: string;
  outcome: string;
  details: Record<string, unknown>;
}

const AGENTS = 5000;
const inAWeek = () => new Date(Date.now() + 7 * 86_400_000).toISOString();

describe('bulk actions on agents: ids or a filter, counts, one transaction, one audit record (real PostgreSQL)', () => {
  let db: TestDatabase;
  let c: TestCentral;
  let sql: pg.Client;

  const bulk = (action: string, body: Record<string, unknown>, api: ApiClient = c.api) =>
    api.call<BulkResult & { message?: string; issues?: Array<{ field: string; message: string }> }>(
      'POST',
      `/api/agents/bulk/${action}`,
      body,
    );
  const bulkOk = async (action: string, body: Record<string, unknown>) => {
    const r = await bulk(action, body);
    if (r.status !== 200) throw new Error(`${action} → ${r.status} ${JSON.stringify(r.body)}`);
    return r.body;
  };
  const scalar = async (query: string, params: unknown[] = []) =>
    Number(((await sql.query(query, params)).rows[0] as { n: string }).n);
  const bulkAudit = async () =>
    (await c.api.ok<AuditEntry[]>('GET', '/api/audit?limit=200')).filter((e) => e.action.startsWith('bulk'));

  beforeAll(async () => {
    db = await createTestDatabase();
    c = await startTestCentral(db.url);
    sql = new pg.Client({ connectionString: db.url });
    await sql.connect();
    // bulk-00001 … bulk-05000: last seen i mod 60 days ago, every 10th in group north, odd ones on 0.5.0.
    const started = Date.now();
    await sql.query(
      `INSERT INTO agents (id, credential_hash, connection_status, transport, agent_version, connected_at,
                           last_seen_at, groups, capabilities)
       SELECT format('bulk-%s', lpad(i::text, 5, '0')), 'hash', 'offline', 'plain',
              CASE WHEN i % 2 = 1 THEN '0.5.0' ELSE '0.4.0' END,
              now() - make_interval(days => i % 60) - interval '1 hour',
              now() - make_interval(days => i % 60),
              CASE WHEN i % 10 = 0 THEN '{north}'::text[] ELSE '{}'::text[] END, '["wss"]'
         FROM generate_series(1, $1::int) AS i`,
      [AGENTS],
    );
    expect(Date.now() - started).toBeLessThan(10_000);
  }, 60_000);

  afterAll(async () => {
    await sql?.end();
    await c?.stop();
    await db?.drop();
  });

  it('a dry run counts what a filter would change and changes nothing, not even the audit log', async () => {
    // i mod 60 > 30 ⇒ 29 of every 60 agents were last seen over 30 days ago.
    const expected = await scalar(
      `SELECT count(*) AS n FROM agents WHERE last_seen_at < now() - interval '30 days'`,
    );
    expect(expected).toBeGreaterThan(2000);
    const preview = await bulkOk('exempt', {
      filter: { lastSeenOlderThanDays: 30 },
      reason: 'retired tills',
      expiresAt: inAWeek(),
      dryRun: true,
    });
    expect(preview).toMatchObject({
      action: 'exempt',
      dryRun: true,
      matched: expected,
      changed: expected,
      skipped: [],
      selection: 'last seen over 30 days ago',
    });
    expect(await scalar('SELECT count(*) AS n FROM migration_exemptions')).toBe(0);
    expect(await bulkAudit()).toEqual([]);
  });

  it('exempts every agent a filter matches in one step, with ONE audit record carrying the count', async () => {
    const started = Date.now();
    const done = await bulkOk('exempt', {
      filter: { lastSeenOlderThanDays: 30 },
      reason: 'retired tills',
      expiresAt: inAWeek(),
    });
    const elapsed = Date.now() - started;
    expect(done.changed).toBe(done.matched);
    expect(await scalar('SELECT count(*) AS n FROM migration_exemptions')).toBe(done.changed);
    const audit = await bulkAudit();
    expect(audit).toHaveLength(1);
    expect(audit[0]).toMatchObject({
      action: `bulk exempt from the migration gate: ${done.changed} agents`,
      summary: `bulk exempt from the migration gate: ${done.changed} agents`,
      outcome: 'success',
      details: {
        selection: { filter: { lastSeenOlderThanDays: 30, revoked: false } },
        reason: 'retired tills',
        matched: done.matched,
        changed: done.changed,
      },
    });
    // The interceptor's generic route line is not written beside it: one action, one line.
    const routeLines = (await c.api.ok<AuditEntry[]>('GET', '/api/audit?limit=50')).filter((e) =>
      e.action.includes('/api/agents/bulk'),
    );
    expect(routeLines).toEqual([]);
    expect((audit[0]!.details.agentIds as string[]).length).toBe(100);
    console.log(`bulk exempt of ${done.changed} agents by filter: ${elapsed} ms`);
  });

  it('takes thousands of ids: unknown ones are skipped with that reason, unchanged ones too', async () => {
    const ids = Array.from({ length: 3000 }, (_, i) => `bulk-${String(i + 1).padStart(5, '0')}`);
    const started = Date.now();
    const added = await bulkOk('groups', {
      ids: [...ids, 'no-such-1', 'no-such-2', 'bulk-00001'],
      mode: 'add',
      groups: ['south'],
    });
    const elapsed = Date.now() - started;
    expect(added).toMatchObject({ matched: 3000, changed: 3000 });
    expect(added.skipped).toEqual([
      { reason: 'no such agent', count: 2, agentIds: ['no-such-1', 'no-such-2'] },
    ]);
    expect(await scalar(`SELECT count(*) AS n FROM agents WHERE 'south' = ANY(groups)`)).toBe(3000);
    // Again: nothing to change, and each agent is accounted for.
    const again = await bulkOk('groups', { ids, mode: 'add', groups: ['south'] });
    expect(again).toMatchObject({ matched: 3000, changed: 0 });
    expect(again.skipped.map((s) => [s.reason, s.count])).toEqual([['groups already so', 3000]]);
    // A filter on a group someone reported or an admin set, and the version, narrow the same way.
    const removed = await bulkOk('groups', {
      filter: { group: 'south', version: '0.5.0' },
      mode: 'remove',
      groups: ['south'],
    });
    expect(removed).toMatchObject({ matched: 1500, changed: 1500 });
    console.log(`bulk add group to 3,000 ids: ${elapsed} ms`);
  });

  it('a failure inside the action leaves nothing half done (one transaction)', async () => {
    const before = await scalar(`SELECT count(*) AS n FROM agents WHERE 'east' = ANY(groups)`);
    const auditBefore = (await bulkAudit()).length;
    // A real PostgreSQL error at the 4,000th row of the statement.
    await sql.query(`
      CREATE FUNCTION bulk_test_refuse() RETURNS trigger LANGUAGE plpgsql AS $$
      BEGIN
        IF NEW.id = 'bulk-04000' AND 'east' = ANY(NEW.groups) THEN RAISE EXCEPTION 'refused by test'; END IF;
        RETURN NEW;
      END $$`);
    await sql.query(
      `CREATE TRIGGER bulk_test_refuse BEFORE UPDATE ON agents FOR EACH ROW EXECUTE FUNCTION bulk_test_refuse()`,
    );
    try {
      const failed = await bulk('groups', { filter: {}, mode: 'add', groups: ['east'] });
      expect(failed.status).toBe(500);
      expect(await scalar(`SELECT count(*) AS n FROM agents WHERE 'east' = ANY(groups)`)).toBe(before);
      // Nothing was done, so there is no bulk record (the route's 'failed' line says it was tried).
      expect((await bulkAudit()).length).toBe(auditBefore);
    } finally {
      await sql.query('DROP TRIGGER bulk_test_refuse ON agents');
      await sql.query('DROP FUNCTION bulk_test_refuse()');
    }
  });

  it('revokes by filter and tells every node; a second revoke skips them as already revoked', async () => {
    const north = await bulkOk('revoke', { filter: { group: 'north' } });
    expect(north).toMatchObject({ matched: AGENTS / 10, changed: AGENTS / 10, skipped: [] });
    expect(
      await scalar(
        `SELECT count(*) AS n FROM agents WHERE revoked_at IS NOT NULL AND credential_hash IS NULL`,
      ),
    ).toBe(AGENTS / 10);
    const again = await bulkOk('revoke', { ids: ['bulk-00010', 'bulk-00011'] });
    expect(again).toMatchObject({ matched: 2, changed: 1 });
    expect(again.skipped).toEqual([{ reason: 'already revoked', count: 1, agentIds: ['bulk-00010'] }]);
    // Active-agent filters no longer match them; `revoked: true` does.
    expect((await bulkOk('revoke', { filter: { group: 'north' }, dryRun: true })).matched).toBe(0);
  });

  it('deletes revoked agents (admins only) and skips an online one with the reason', async () => {
    await c.api.ok('POST', '/api/users', { username: 'olga', role: 'operator', password: 'olga-password-1' });
    const operator = new ApiClient(c.central.adminUrl);
    await operator.login('olga', 'olga-password-1');
    const refused = await bulk('delete', { filter: { revoked: true } }, operator);
    expect(refused.status).toBe(403);
    expect(await scalar('SELECT count(*) AS n FROM agents')).toBe(AGENTS);

    // An agent marked online on this live node (its heartbeat row is fresh) is not deleted.
    await sql.query(
      `UPDATE agents SET connection_status = 'online', node_id = (SELECT id FROM central_nodes LIMIT 1)
        WHERE id = 'bulk-00020'`,
    );
    const deleted = await bulkOk('delete', { filter: { revoked: true } });
    expect(deleted.matched).toBe(AGENTS / 10 + 1);
    expect(deleted.changed).toBe(AGENTS / 10);
    expect(deleted.skipped).toEqual([
      { reason: 'online now: revoke it first (that closes its session)', count: 1, agentIds: ['bulk-00020'] },
    ]);
    expect(await scalar('SELECT count(*) AS n FROM agents')).toBe(AGENTS - AGENTS / 10);
    // Their exemptions went with them.
    expect(
      await scalar(
        `SELECT count(*) AS n FROM migration_exemptions e WHERE NOT EXISTS (SELECT 1 FROM agents a WHERE a.id = e.agent_id)`,
      ),
    ).toBe(0);
  });

  it('retries failed and stale agents of one rollout, and a halted rollout goes on', async () => {
    await sql.query(
      `INSERT INTO profiles (name, draft_agent_conf, truststore_password_encrypted, created_by, updated_by)
       VALUES ('bulk-test', '', 'unused', 'test', 'test')`,
    );
    const archive = randomBytes(64);
    await sql.query(
      `INSERT INTO profile_revisions (profile_name, revision, sha256, size_bytes, archive, manifest, agent_conf,
         truststore, minimum_agent_version, required_capabilities, created_by)
       VALUES ('bulk-test', 1, $1, $2, $3, '{}', '', '[]', '0.1.0', '[]', 'test')`,
      [createHash('sha256').update(archive).digest('hex'), archive.length, archive],
    );
    const targets = ['bulk-00001', 'bulk-00002', 'bulk-00003', 'bulk-00004', 'bulk-00005', 'bulk-00006'];
    const rollout = await c.api.ok<{ id: string }>('POST', '/api/rollouts', {
      profile: 'bulk-test',
      revision: 1,
      targets: { agentIds: targets },
      mode: 'synchronize',
    });
    await sql.query(
      `UPDATE rollout_agents SET state = CASE WHEN agent_id IN ('bulk-00001', 'bulk-00002') THEN 'failed'
                                             WHEN agent_id = 'bulk-00003' THEN 'stale' ELSE 'synchronized' END
        WHERE rollout_id = $1`,
      [rollout.id],
    );
    await sql.query(`UPDATE rollouts SET state = 'halted', state_reason = 'error threshold' WHERE id = $1`, [
      rollout.id,
    ]);
    const retried = await bulkOk('retry', {
      ids: [...targets, 'bulk-00007'],
      rolloutId: rollout.id,
    });
    expect(retried).toMatchObject({ matched: 7, changed: 3 });
    expect(Object.fromEntries(retried.skipped.map((s) => [s.reason, s.count]))).toEqual({
      'synchronized in this rollout, not failed or stale': 3,
      'not targeted by this rollout': 1,
    });
    const rows = (
      await sql.query(
        `SELECT agent_id, state, attempts FROM rollout_agents WHERE rollout_id = $1 AND agent_id = ANY($2::text[]) ORDER BY agent_id`,
        [rollout.id, ['bulk-00001', 'bulk-00002', 'bulk-00003']],
      )
    ).rows as Array<{ state: string; attempts: number }>;
    expect(rows.every((r) => r.attempts === 1 && r.state !== 'failed' && r.state !== 'stale')).toBe(true);
    expect(
      (
        (await sql.query('SELECT state FROM rollouts WHERE id = $1', [rollout.id])).rows[0] as {
          state: string;
        }
      ).state,
    ).not.toBe('halted');
    await c.api.call('POST', `/api/rollouts/${rollout.id}/cancel`);
  });

  it('refuses bad requests naming what is wrong', async () => {
    const both = await bulk('revoke', { ids: ['bulk-00001'], filter: {} });
    expect([both.status, both.body.issues?.[0]]).toEqual([
      400,
      {
        field: 'ids',
        message: 'give either "ids" (a list of agent ids) or "filter" (which agents), not both or neither',
      },
    ]);
    const neither = await bulk('revoke', {});
    expect(neither.status).toBe(400);
    const tooMany = await bulk('revoke', { ids: Array.from({ length: 50_001 }, (_, i) => `x-${i}`) });
    expect([tooMany.status, tooMany.body.issues?.[0]?.field]).toEqual([400, 'ids']);
    expect(tooMany.body.issues?.[0]?.message).toMatch(/at most 50000 agents in one action/);
    const badFilter = await bulk('revoke', { filter: { colour: 'red' } });
    expect([badFilter.status, badFilter.body.issues?.[0]?.message]).toEqual([
      400,
      'unknown field(s): colour',
    ]);
    const badGroup = await bulk('groups', { filter: {}, mode: 'add', groups: ['north east'] });
    expect(badGroup.body.issues?.[0]?.field).toBe('groups.0');
    const past = await bulk('exempt', {
      ids: ['bulk-00001'],
      reason: 'x',
      expiresAt: '2020-01-01T00:00:00Z',
    });
    expect([past.status, past.body.issues?.[0]]).toEqual([
      400,
      { field: 'expiresAt', message: 'must be in the future' },
    ]);
    const noRollout = await bulk('retry', {
      ids: ['bulk-00001'],
      rolloutId: '00000000-0000-4000-8000-000000000000',
    });
    expect([noRollout.status, noRollout.body.message]).toEqual([
      404,
      'no rollout 00000000-0000-4000-8000-000000000000',
    ]);
  });
});
