/**
 * What PostgreSQL did during a phase, from its cumulative statistics views: transactions and rows for
 * the central database, and scans and writes per table. Read over a connection of the bench's own (the
 * embedded server's port and password are in `<data>/pg.json`, or BENCH_DATABASE_URL).
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import pg from 'pg';

export interface TableCounters {
  seqScan: number;
  seqTupRead: number;
  idxScan: number;
  inserted: number;
  updated: number;
  /** Of `updated`, those that stayed on their page and touched no index (heap-only tuples). */
  hotUpdated: number;
  deleted: number;
}

export interface DatabaseCounters {
  commits: number;
  rollbacks: number;
  rowsReturned: number;
  rowsFetched: number;
  rowsInserted: number;
  rowsUpdated: number;
  rowsDeleted: number;
  tables: Record<string, TableCounters>;
}

/** The embedded server's URL for the `switchyard` database central uses, or `externalUrl`. */
export function databaseUrlOf(dataDir: string, externalUrl: string | undefined): string {
  if (externalUrl) return externalUrl;
  const { port, password } = JSON.parse(readFileSync(join(dataDir, 'pg.json'), 'utf8')) as {
    port: number;
    password: string;
  };
  return `postgres://postgres:${encodeURIComponent(password)}@127.0.0.1:${port}/switchyard`;
}

export async function readDatabaseCounters(url: string): Promise<DatabaseCounters> {
  const client = new pg.Client({ connectionString: url, connectionTimeoutMillis: 10_000 });
  await client.connect();
  try {
    const db = await client.query<Record<string, string>>(
      `SELECT xact_commit, xact_rollback, tup_returned, tup_fetched, tup_inserted, tup_updated, tup_deleted
         FROM pg_stat_database WHERE datname = current_database()`,
    );
    const tables = await client.query<Record<string, string>>(
      `SELECT relname, seq_scan, seq_tup_read, coalesce(idx_scan, 0) AS idx_scan, n_tup_ins, n_tup_upd, n_tup_hot_upd,
              n_tup_del
         FROM pg_stat_user_tables`,
    );
    const d = db.rows[0] ?? {};
    const num = (v: string | undefined) => Number(v ?? 0);
    return {
      commits: num(d.xact_commit),
      rollbacks: num(d.xact_rollback),
      rowsReturned: num(d.tup_returned),
      rowsFetched: num(d.tup_fetched),
      rowsInserted: num(d.tup_inserted),
      rowsUpdated: num(d.tup_updated),
      rowsDeleted: num(d.tup_deleted),
      tables: Object.fromEntries(
        tables.rows.map((t) => [
          t.relname,
          {
            seqScan: num(t.seq_scan),
            seqTupRead: num(t.seq_tup_read),
            idxScan: num(t.idx_scan),
            inserted: num(t.n_tup_ins),
            updated: num(t.n_tup_upd),
            hotUpdated: num(t.n_tup_hot_upd),
            deleted: num(t.n_tup_del),
          },
        ]),
      ),
    };
  } finally {
    await client.end();
  }
}

/** after − before, tables with no change left out. */
export function countersDelta(before: DatabaseCounters, after: DatabaseCounters): DatabaseCounters {
  const tables: Record<string, TableCounters> = {};
  for (const [name, a] of Object.entries(after.tables)) {
    const b = before.tables[name];
    const t: TableCounters = {
      seqScan: a.seqScan - (b?.seqScan ?? 0),
      seqTupRead: a.seqTupRead - (b?.seqTupRead ?? 0),
      idxScan: a.idxScan - (b?.idxScan ?? 0),
      inserted: a.inserted - (b?.inserted ?? 0),
      updated: a.updated - (b?.updated ?? 0),
      hotUpdated: a.hotUpdated - (b?.hotUpdated ?? 0),
      deleted: a.deleted - (b?.deleted ?? 0),
    };
    if (Object.values(t).some((v) => v !== 0)) tables[name] = t;
  }
  return {
    commits: after.commits - before.commits,
    rollbacks: after.rollbacks - before.rollbacks,
    rowsReturned: after.rowsReturned - before.rowsReturned,
    rowsFetched: after.rowsFetched - before.rowsFetched,
    rowsInserted: after.rowsInserted - before.rowsInserted,
    rowsUpdated: after.rowsUpdated - before.rowsUpdated,
    rowsDeleted: after.rowsDeleted - before.rowsDeleted,
    tables,
  };
}
