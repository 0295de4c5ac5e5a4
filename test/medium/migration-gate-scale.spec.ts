// The secure_only gate at fleet size (issue 16 point 3, ADR 40): counts by reason first, a paged and
// filterable table, all of a filter exempted in one step, a refusal that stays small, and a forced step
// that acknowledges a whole reason. 3,200 registered agents are seeded by SQL.
import type pg from 'pg';
import {
  seedOfflineAgents,
  setMigrationPhase,
  startGateFleet,
  type GateFleet,
} from '../support/gate-fleet.js';
import { type TestCentral } from '../support/in-process-central.js';

interface Stranded {
  agentId: string;
  reasons: Array<{ code: string; message: string }>;
}

interface StrandedPage {
  counts: { total: number; byReason: Record<string, number> };
  matched: number;
  offset: number;
  limit: number;
  agents: Array<Stranded & { lastSeenAt: string; groups: string[]; status: string }>;
}

interface Status {
  phase: string;
  stranded: Stranded[];
  strandedCounts: { total: number; byReason: Record<string, number> };
  preconditions: Array<{ id: string; ok: boolean; reason: string }>;
  exemptions: unknown[];
  exemptionCount: number;
  history: Array<{ kind: string; to: string; acknowledged: string[]; acknowledgedCount: number }>;
}

const inAWeek = () => new Date(Date.now() + 7 * 86_400_000).toISOString();

describe('the secure_only gate at fleet size (real PostgreSQL)', () => {
  let fleet: GateFleet;
  let c: TestCentral;
  let sql: pg.Client;

  beforeAll(async () => {
    fleet = await startGateFleet();
    ({ central: c, sql } = fleet);
    // gate-0001 … gate-2000: on plain, last seen 40-59 days ago; gate-2001 … gate-3000: 2-10 days ago;
    // every 10th in group north; sec-001 … sec-200: on secure, seen an hour ago (they pass).
    await seedOfflineAgents(sql, {
      prefix: 'gate-',
      digits: 4,
      count: 3000,
      transport: 'plain',
      lastSeenAgo: 'make_interval(days => CASE WHEN i <= 2000 THEN 40 + i % 20 ELSE 2 + i % 9 END)',
      groups: `CASE WHEN i % 10 = 0 THEN '{north}'::text[] ELSE '{}'::text[] END`,
    });
    await seedOfflineAgents(sql, {
      prefix: 'sec-',
      digits: 3,
      count: 200,
      transport: 'secure',
      lastSeenAgo: `interval '1 hour'`,
    });
    await setMigrationPhase(sql, 'secure_published');
  }, 60_000);

  afterAll(async () => {
    await fleet?.stop();
  });

  it('counts by reason first; the status and its precondition name ten ids, not 3,000', async () => {
    const s = await c.api.ok<Status>('GET', '/api/migration?strandedLimit=0&exemptionsLimit=10');
    expect(s.strandedCounts).toEqual({
      total: 3000,
      byReason: { offline: 3000, plain: 3000, cannot_wss: 0, failed_apply: 0, never_connected: 0 },
    });
    expect(s.stranded).toEqual([]);
    const gate = s.preconditions.find((p) => p.id === 'no_stranded_agents')!;
    expect(gate.ok).toBe(false);
    expect(gate.reason).toMatch(
      /^3000 agent\(s\) would be stranded: gate-0001, .*gate-0010 … and 2990 more \(3000 offline, 3000 still on plain\)$/,
    );
    // Without the limit the full list is still there for API clients that read it.
    expect((await c.api.ok<Status>('GET', '/api/migration')).stranded).toHaveLength(3000);
  });

  it('pages and filters the table by reason, group and last seen', async () => {
    const started = Date.now();
    const page = await c.api.ok<StrandedPage>('GET', '/api/migration/stranded?limit=50&offset=100');
    const elapsed = Date.now() - started;
    expect(page).toMatchObject({ matched: 3000, offset: 100, limit: 50, counts: { total: 3000 } });
    expect(page.agents.map((a) => a.agentId)).toEqual(
      Array.from({ length: 50 }, (_, i) => `gate-${String(101 + i).padStart(4, '0')}`),
    );
    expect(page.agents[0]!.reasons.map((r) => r.code)).toEqual(['offline', 'plain']);
    const old = await c.api.ok<StrandedPage>(
      'GET',
      '/api/migration/stranded?lastSeenOlderThanDays=30&limit=5',
    );
    expect(old.matched).toBe(2000);
    const north = await c.api.ok<StrandedPage>('GET', '/api/migration/stranded?group=north&limit=1000');
    expect(north.matched).toBe(300);
    expect(north.agents.every((a) => a.groups.includes('north'))).toBe(true);
    expect((await c.api.ok<StrandedPage>('GET', '/api/migration/stranded?reason=cannot_wss')).matched).toBe(
      0,
    );
    const bad = await c.api.call<{ issues: Array<{ field: string }> }>(
      'GET',
      '/api/migration/stranded?reason=sleepy&limit=5000',
    );
    expect([bad.status, bad.body.issues.map((i) => i.field).sort()]).toEqual([400, ['limit', 'reason']]);
    console.log(`stranded table page with 3,200 agents: ${elapsed} ms`);
  });

  it('refuses secure_only with counts and a short list, not 3,000 ids', async () => {
    const refused = await c.api.call<{
      message: string;
      strandedCount: number;
      counts: Record<string, number>;
      stranded: Stranded[];
      agents: string[];
    }>('POST', '/api/migration/advance', { reason: 'cut over' });
    expect(refused.status).toBe(409);
    expect(refused.body).toMatchObject({ strandedCount: 3000, counts: { offline: 3000, plain: 3000 } });
    expect(refused.body.stranded).toHaveLength(100);
    expect(refused.body.agents).toHaveLength(100);
    expect(refused.body.message).toMatch(
      /^3000 agent\(s\) would be stranded by closing the plain listener \(secure only\): gate-0001, .* and 2990 more \(3000 offline, 3000 still on plain\); /,
    );
    expect(JSON.stringify(refused.body).length).toBeLessThan(100_000);
  });

  it('exempts all stranded agents not seen for over 30 days in one step (dry run first)', async () => {
    const body = {
      stranded: { lastSeenOlderThanDays: 30 },
      reason: 'retired stores',
      expiresAt: inAWeek(),
    };
    const preview = await c.api.ok<{ matched: number; changed: number; dryRun: boolean; stranded: string }>(
      'POST',
      '/api/migration/exemptions/bulk',
      { ...body, dryRun: true },
    );
    expect(preview).toMatchObject({
      matched: 2000,
      changed: 2000,
      dryRun: true,
      stranded: 'stranded not seen for over 30 days',
    });
    expect(Number((await sql.query('SELECT count(*) AS n FROM migration_exemptions')).rows[0].n)).toBe(0);

    const started = Date.now();
    const done = await c.api.ok<{ changed: number }>('POST', '/api/migration/exemptions/bulk', body);
    const elapsed = Date.now() - started;
    expect(done.changed).toBe(2000);
    const s = await c.api.ok<Status>('GET', '/api/migration?strandedLimit=0&exemptionsLimit=10');
    expect(s.strandedCounts.total).toBe(1000);
    expect([s.exemptions.length, s.exemptionCount]).toEqual([10, 2000]);
    const audit = (
      await c.api.ok<Array<{ action: string; details: Record<string, unknown> }>>(
        'GET',
        '/api/audit?limit=20',
      )
    ).filter((e) => e.action.startsWith('bulk') || e.action.includes('exemptions/bulk'));
    expect(audit).toHaveLength(1);
    expect(audit[0]).toMatchObject({
      action: 'bulk exempt from the migration gate: 2000 agents',
      details: { chosenAs: 'stranded not seen for over 30 days', changed: 2000 },
    });
    console.log(`bulk exempt of 2,000 stranded agents: ${elapsed} ms`);
  });

  it('forces secure_only acknowledging a whole reason; the record keeps the ids, screens get a count', async () => {
    const partial = await c.api.call<{ issues: Array<{ field: string; message: string }> }>(
      'POST',
      '/api/migration/advance',
      { reason: 'cut over', force: true, acknowledgeFilter: { reason: 'offline', group: 'north' } },
    );
    expect(partial.status).toBe(400);
    expect(partial.body.issues[0]!.field).toBe('acknowledge');
    expect(partial.body.issues[0]!.message).toMatch(
      /^missing stranded agent\(s\) \(not stranded because offline in group north\): gate-2001, .* and 890 more$/,
    );

    const forced = await c.api.call<Status>('POST', '/api/migration/advance', {
      reason: 'cut over: the rest are retired',
      force: true,
      acknowledgeFilter: { reason: 'offline' },
    });
    expect(forced.status).toBe(200);
    expect(forced.body.phase).toBe('secure_only');
    const step = forced.body.history[0]!;
    expect(step).toMatchObject({ kind: 'advance', to: 'secure_only', acknowledgedCount: 1000 });
    expect(step.acknowledged).toHaveLength(100);
    const stored = (
      await sql.query(
        `SELECT jsonb_array_length(acknowledged) AS n FROM migration_transitions ORDER BY id DESC LIMIT 1`,
      )
    ).rows[0] as { n: number };
    expect(stored.n).toBe(1000);
    const [record] = await c.api.ok<Array<{ action: string; details: Record<string, unknown> }>>(
      'GET',
      '/api/audit?limit=1&action=migration%20advance',
    );
    expect(record!.details).toMatchObject({ forced: true, acknowledgedCount: 1000 });
    expect(JSON.stringify(record!.details).length).toBeLessThan(50_000);
  });
});
