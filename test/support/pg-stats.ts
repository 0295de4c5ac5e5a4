// PostgreSQL's own account of the work a statement did, for tests that guard a cost without timing it:
// rows a transaction read (its statistics), rows each plan node examined (EXPLAIN ANALYZE), and scans of a
// table by other backends (central's) over a while.
import type pg from 'pg';

/** Anything that runs a query: a DataSource, an EntityManager in a transaction, a QueryRunner. */
interface Queryable {
  query(sql: string, params?: unknown[]): Promise<unknown>;
}

/** A DataSource that hands out query runners, for a statement run in a transaction rolled back. */
interface RunnerSource {
  createQueryRunner(): {
    startTransaction(): Promise<void>;
    rollbackTransaction(): Promise<void>;
    release(): Promise<void>;
    query(sql: string, params?: unknown[]): Promise<unknown>;
  };
}

/** Rows of `table` this transaction has read so far (sequential scans and index fetches). */
export async function rowsReadInTransaction(q: Queryable, table: string): Promise<number> {
  const [row] = (await q.query(
    `SELECT coalesce(seq_tup_read, 0) + coalesce(idx_tup_fetch, 0) AS n
       FROM pg_stat_xact_user_tables WHERE relname = $1`,
    [table],
  )) as Array<{ n: string }>;
  return Number(row?.n ?? 0);
}

/**
 * Scans of `table` (sequential and index) and the rows they read, by every backend so far, as the
 * statistics other backends have flushed (they flush at least every second): compare two readings a few
 * seconds apart.
 */
export async function tableReads(client: pg.Client, table: string): Promise<{ scans: number; rows: number }> {
  await client.query('SELECT pg_stat_clear_snapshot()');
  const { rows } = await client.query<{ scans: string; rows: string }>(
    `SELECT (coalesce(seq_scan, 0) + coalesce(idx_scan, 0))::text AS scans,
            (coalesce(seq_tup_read, 0) + coalesce(idx_tup_fetch, 0))::text AS rows
       FROM pg_stat_user_tables WHERE relname = $1`,
    [table],
  );
  return { scans: Number(rows[0]?.scans ?? 0), rows: Number(rows[0]?.rows ?? 0) };
}

export interface PlanNode {
  'Node Type': string;
  'Relation Name'?: string;
  'Index Name'?: string;
  'Actual Rows': number;
  'Actual Loops': number;
  'Rows Removed by Filter'?: number;
  'Rows Removed by Index Recheck'?: number;
  Plans?: PlanNode[];
}

/** The plan of a statement as it ran (EXPLAIN ANALYZE), in a transaction rolled back: an UPDATE changes nothing. */
export async function analyzedPlan(ds: RunnerSource, sql: string, params: unknown[]): Promise<PlanNode> {
  const runner = ds.createQueryRunner();
  try {
    await runner.startTransaction();
    const [row] = (await runner.query(`EXPLAIN (ANALYZE, FORMAT JSON) ${sql}`, params)) as Array<{
      'QUERY PLAN': Array<{ Plan: PlanNode }>;
    }>;
    return row['QUERY PLAN'][0].Plan;
  } finally {
    await runner.rollbackTransaction();
    await runner.release();
  }
}

/** Rows of `table` the plan looked at: returned or thrown away by a filter, over every loop. */
export function rowsExamined(node: PlanNode, table: string): number {
  const own =
    node['Relation Name'] === table
      ? (node['Actual Rows'] +
          (node['Rows Removed by Filter'] ?? 0) +
          (node['Rows Removed by Index Recheck'] ?? 0)) *
        node['Actual Loops']
      : 0;
  return own + (node.Plans ?? []).reduce((n, p) => n + rowsExamined(p, table), 0);
}

/** The tables the plan reads with a sequential scan. */
export function seqScannedTables(node: PlanNode): string[] {
  const own = node['Node Type'] === 'Seq Scan' && node['Relation Name'] ? [node['Relation Name']] : [];
  return [...own, ...(node.Plans ?? []).flatMap(seqScannedTables)];
}
