// A batch of answers (and a dispatcher pass's sent marks) reads its own entries, not the whole rollout
// (issue 15: 50,000 agents). Measured on 2026-12-07 in a 50,000-agent push in cluster mode: 1,014
// sequential scans of rollout_agents reading 37 M rows, PostgreSQL 37.8 s of CPU (2.5 s at 10,000): each
// batch's UPDATE … FROM unnest(…) joined its ~100 keys to every entry of the rollout by hash, so the
// push cost O(N²). Asserted on PostgreSQL's own account of the rows each plan node examined (EXPLAIN
// ANALYZE, in transactions rolled back), never on time.
import { randomUUID } from 'node:crypto';
import { type DataSource } from 'typeorm';
import { createDataSource, migrate } from '../../apps/central/src/database/database.js';
import {
  ANSWER_PLAN_SETTINGS,
  DELIVERY_WRITE_STATEMENTS,
  JOIN_BY_KEY_SETTINGS,
} from '../../apps/central/src/rollouts/rollout-deliveries.repository.js';
import { seedProfileRevision } from '../support/rollout-seed.js';
import { createTestDatabase, type TestDatabase } from '../support/test-database.js';

const AGENTS = 20_000;
const BATCH = 150;

interface PlanNode {
  'Node Type': string;
  'Relation Name'?: string;
  'Actual Rows': number;
  'Actual Loops': number;
  'Rows Removed by Filter'?: number;
  Plans?: PlanNode[];
}

function rolloutAgentRowsExamined(node: PlanNode): number {
  const own =
    node['Relation Name'] === 'rollout_agents' && node['Node Type'] !== 'ModifyTable'
      ? (node['Actual Rows'] + (node['Rows Removed by Filter'] ?? 0)) * node['Actual Loops']
      : 0;
  return own + (node.Plans ?? []).reduce((n, p) => n + rolloutAgentRowsExamined(p), 0);
}

describe('answer batches and sent marks read their own entries (real PostgreSQL)', () => {
  let db: TestDatabase;
  let ds: DataSource;
  const agentIds = Array.from({ length: AGENTS }, (_, i) => `batch-${String(i + 1).padStart(6, '0')}`);
  const rolloutId = randomUUID();

  beforeAll(async () => {
    db = await createTestDatabase();
    ds = createDataSource(db.url);
    await ds.initialize();
    await migrate(ds, () => undefined);
    await ds.query(
      `INSERT INTO agents (id, connection_status, session_id, transport)
       SELECT id, 'online', gen_random_uuid(), 'plain' FROM unnest($1::text[]) id`,
      [agentIds],
    );
    await seedProfileRevision(ds, 'batch');
    await ds.query(
      `INSERT INTO rollouts (id, profile_name, revision, mode, targets, waves, wave_count, current_wave,
         success_threshold_percent, error_threshold, state, created_by)
       VALUES ($1, 'batch', 1, 'synchronize', '{"all":true}', '{"requested":{},"sizes":[${AGENTS}]}', 1, 1, 100,
         '{"count":1}', 'running', 'test')`,
      [rolloutId],
    );
    // A push under way: every entry sent, the agents answering synchronizing.
    await ds.query(
      `INSERT INTO rollout_agents (rollout_id, agent_id, wave, state, activates, sent_step, sent_at)
       SELECT $1, id, 1, 'synchronizing', false, 'sync', now() FROM unnest($2::text[]) id`,
      [rolloutId, agentIds],
    );
    // As a push finds its entries: just inserted, no statistics on them yet (autovacuum comes later).
  });

  afterAll(async () => {
    await ds?.destroy();
    await db?.drop();
  });

  async function examined(sql: string, params: unknown[], settings: string): Promise<number> {
    const runner = ds.createQueryRunner();
    try {
      await runner.startTransaction();
      await runner.query(settings);
      const [row] = (await runner.query(`EXPLAIN (ANALYZE, FORMAT JSON) ${sql}`, params)) as Array<{
        'QUERY PLAN': Array<{ Plan: PlanNode }>;
      }>;
      return rolloutAgentRowsExamined(row['QUERY PLAN'][0].Plan);
    } finally {
      await runner.rollbackTransaction();
      await runner.release();
    }
  }

  it(`a batch of ${BATCH} answers among ${AGENTS} entries examines about ${BATCH} rows, not the rollout`, async () => {
    const keys = agentIds.slice(5000, 5000 + BATCH);
    const n = keys.length;
    const change = [
      keys.map(() => rolloutId),
      keys,
      keys.map(() => 'synchronizing'),
      keys.map(() => 0),
      keys.map(() => 'synchronized'),
      keys.map(() => null),
      keys.map(() => false),
    ];
    const mark = [
      keys.map(() => rolloutId),
      keys,
      keys.map(() => 'synchronizing'),
      keys.map(() => 0),
      keys.map(() => 'sync'),
      keys.map(() => randomUUID()),
    ];
    const without = 'SELECT 1'; // the planner left to itself, for the record
    const measured = {
      stateChange: await examined(DELIVERY_WRITE_STATEMENTS.stateChange, change, ANSWER_PLAN_SETTINGS),
      sentMark: await examined(DELIVERY_WRITE_STATEMENTS.sentMark, mark, JOIN_BY_KEY_SETTINGS),
    };
    console.log(
      `rows of rollout_agents examined for ${n} keys among ${AGENTS}: with the settings ${JSON.stringify(measured)}, ` +
        `without ${JSON.stringify({
          stateChange: await examined(DELIVERY_WRITE_STATEMENTS.stateChange, change, without),
          sentMark: await examined(DELIVERY_WRITE_STATEMENTS.sentMark, mark, without),
        })}`,
    );
    expect(measured.stateChange).toBeLessThanOrEqual(2 * n);
    expect(measured.sentMark).toBeLessThanOrEqual(2 * n);
  });
});
