// Rollout work per tick and per hello costs what is still open, not the history (issue 15, ADR 28): with
// 50 finished rollouts of 2,000 agents each (100,000 rows) beside a running one, the statements the
// ticker, the dispatcher and the hello reconciler run read no finished row. Asserted on PostgreSQL's own
// account of the rows each plan node examined (EXPLAIN ANALYZE), never on time.
import { type DataSource } from 'typeorm';
import {
  markStaleEntries,
  ROLLOUT_WORK_STATEMENTS,
} from '../../apps/central/src/rollouts/rollout-work.query.js';
import { analyzedPlan, rowsExamined, seqScannedTables, type PlanNode } from '../support/pg-stats.js';
import { insertPublishRollout, openMigrated, seedProfileRevision } from '../support/rollout-seed.js';
import { createTestDatabase, type TestDatabase } from '../support/test-database.js';

const AGENTS = 2_000;
const FINISHED_ROLLOUTS = 50;
const NODE = 'history-node';

describe('rollout work does not grow with the rollouts that finished (real PostgreSQL)', () => {
  let db: TestDatabase;
  let ds: DataSource;
  const agentIds = Array.from({ length: AGENTS }, (_, i) => `hist-${String(i + 1).padStart(5, '0')}`);
  let running: string;

  /** The plan of a statement as it ran (an UPDATE is rolled back), with this node alive. */
  async function explain(sql: string, params: unknown[]): Promise<PlanNode> {
    await ds.query('UPDATE central_nodes SET heartbeat_at = now()');
    return analyzedPlan(ds, sql, params);
  }

  const statements = (): Array<[string, string, unknown[]]> => [
    ['stale walk (every tick)', ROLLOUT_WORK_STATEMENTS.staleWalk, []],
    ['due work (dispatcher)', ROLLOUT_WORK_STATEMENTS.dueWork, [NODE, 8000, null, null]],
    // One hello's scope, and the dispatcher's scope of a chunk of 500 agents.
    ['scope of one hello', ROLLOUT_WORK_STATEMENTS.scope, [[agentIds[7]]]],
    ['scope of 500 agents', ROLLOUT_WORK_STATEMENTS.scope, [agentIds.slice(0, 500)]],
  ];

  const rollout = (state: string, createdAt: string) =>
    insertPublishRollout(ds, { profile: 'history', agents: AGENTS, state, createdAt });

  beforeAll(async () => {
    db = await createTestDatabase();
    ds = await openMigrated(db, NODE);
    await ds.query(
      `INSERT INTO agents (id, connection_status, node_id, session_id, transport)
       SELECT id, 'online', $2, gen_random_uuid(), 'plain' FROM unnest($1::text[]) id`,
      [agentIds, NODE],
    );
    await seedProfileRevision(ds, 'history');
    // The running rollout: 20 entries under way among 2,000 (the rest applied or pending, as a push leaves them).
    running = await rollout('running', '2026-12-01T00:00:00Z');
    await ds.query(
      `INSERT INTO rollout_agents (rollout_id, agent_id, wave, state, activates, sent_step, sent_session, sent_at,
         state_changed_at)
       SELECT $1, id, 1, CASE WHEN n <= 10 THEN 'synchronizing' WHEN n <= 20 THEN 'pending' ELSE 'applied' END,
              true, NULL, NULL, NULL, now() - interval '1 hour'
         FROM unnest($2::text[]) WITH ORDINALITY AS a(id, n)`,
      [running, agentIds],
    );
  });

  afterAll(async () => {
    await ds?.destroy();
    await db?.drop();
  });

  /**
   * Median server time of each statement over `runs` (EXPLAIN ANALYZE's execution time, each in a
   * transaction rolled back), in ms: printed with ROLLOUT_HISTORY_MEASURE=1, never asserted.
   */
  async function timings(runs = 25): Promise<Record<string, number>> {
    await ds.query('UPDATE central_nodes SET heartbeat_at = now()');
    const out: Record<string, number> = {};
    for (const [name, sql, params] of statements()) {
      const times: number[] = [];
      for (let i = 0; i < runs; i++) {
        const runner = ds.createQueryRunner();
        await runner.startTransaction();
        const [row] = (await runner.query(
          `EXPLAIN (ANALYZE, TIMING OFF, FORMAT JSON) ${sql}`,
          params,
        )) as Array<{
          'QUERY PLAN': Array<{ 'Execution Time': number }>;
        }>;
        times.push(row['QUERY PLAN'][0]['Execution Time']);
        await runner.rollbackTransaction();
        await runner.release();
      }
      times.sort((x, y) => x - y);
      out[name] = Number(times[Math.floor(runs / 2)].toFixed(2));
    }
    return out;
  }

  it('reads no finished entry per tick or per hello: 100,000 finished rows are never examined', async () => {
    await ds.query('ANALYZE');
    const measure = Boolean(process.env.ROLLOUT_HISTORY_MEASURE);
    const before = measure ? await timings() : {};
    const examinedWithout = new Map<string, number>();
    for (const [name, sql, params] of statements()) {
      const plan = await explain(sql, params);
      examinedWithout.set(name, rowsExamined(plan, 'rollout_agents'));
    }

    // 50 finished rollouts (older than the running one), each with its 2,000 agents applied.
    const finished: string[] = [];
    for (let i = 0; i < FINISHED_ROLLOUTS; i++)
      finished.push(
        await rollout(
          i % 10 === 9 ? 'cancelled' : 'completed',
          `2026-11-${String(1 + (i % 28)).padStart(2, '0')}T00:00:00Z`,
        ),
      );
    await ds.query(
      `INSERT INTO rollout_agents (rollout_id, agent_id, wave, state, activates, applied_at)
       SELECT r, a, 1, 'applied', true, now() FROM unnest($1::uuid[]) r CROSS JOIN unnest($2::text[]) a`,
      [finished, agentIds],
    );
    await ds.query('ANALYZE');
    const [{ n }] = (await ds.query('SELECT count(*)::int AS n FROM rollout_agents')) as Array<{ n: number }>;
    expect(n).toBe(AGENTS * (FINISHED_ROLLOUTS + 1));

    const examined: Record<string, number> = {};
    for (const [name, sql, params] of statements()) {
      const plan = await explain(sql, params);
      examined[name] = rowsExamined(plan, 'rollout_agents');
      expect({ name, seqScans: seqScannedTables(plan).filter((t) => t === 'rollout_agents') }).toEqual({
        name,
        seqScans: [],
      });
    }
    // At most the running rollout's own rows: none of the 100,000 finished ones. The tick's stale walk
    // and the dispatcher read only the 20 entries under way; one hello reads its agent's few rows.
    const bounds: Record<string, [number, number]> = {
      // The 20 open entries, and the 10 it updates counted once more by the UPDATE itself.
      'stale walk (every tick)': [10, 40],
      'due work (dispatcher)': [10, 20],
      'scope of one hello': [1, 5],
      // Each agent's entry of the running rollout, found at most three ways (unfinished, open, newest).
      'scope of 500 agents': [500, 1_500],
    };
    for (const [name, [lo, hi]] of Object.entries(bounds))
      expect({
        name,
        examined: examined[name],
        within: examined[name] >= lo && examined[name] <= hi,
      }).toEqual({
        name,
        examined: examined[name],
        within: true,
      });
    if (measure) {
      const after = await timings();
      console.log(
        JSON.stringify({ examinedWithout: Object.fromEntries(examinedWithout), examined, before, after }),
      );
    }
  });

  it('still finds the work among the history: stale steps of the running rollout, and its entries as newest', async () => {
    await ds.query('UPDATE central_nodes SET heartbeat_at = now()');
    const stale = await markStaleEntries(ds);
    expect(stale).toHaveLength(10);
    expect(new Set(stale.map((s) => s.rolloutId))).toEqual(new Set([running]));
    const scope = (await ds.query(ROLLOUT_WORK_STATEMENTS.scope, [[agentIds[0], agentIds[1500]]])) as Array<{
      rollout_id: string;
      agent_id: string;
      newest: boolean;
    }>;
    expect(scope.map((e) => [e.agent_id, e.rollout_id, e.newest])).toEqual([
      [agentIds[0], running, true],
      [agentIds[1500], running, true],
    ]);
  });
});
