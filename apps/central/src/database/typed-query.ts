/** What runs SQL: the DataSource, a transaction's EntityManager, a QueryRunner. */
export interface Queryable {
  query(sql: string, params?: unknown[]): Promise<unknown>;
}

/**
 * Runs one statement and gives its rows as `R`: an interface with the statement's column names and
 * the types node-postgres gives them (text → string, int4 → number, bigint and numeric → string,
 * timestamptz → Date, jsonb → the parsed value). Repositories map rows through such interfaces
 * instead of casting each column (ADR 3).
 */
export async function queryRows<R>(db: Queryable, sql: string, params: unknown[] = []): Promise<R[]> {
  const result: unknown = await db.query(sql, params);
  // TypeORM answers an UPDATE or DELETE (… RETURNING) on PostgreSQL with [rows, rowCount], any other
  // statement with the rows: a row is an object, never an array, so the two cannot be confused.
  if (Array.isArray(result) && Array.isArray(result[0]) && typeof result[1] === 'number') {
    return result[0] as R[];
  }
  return result as R[];
}

/** The first row of a statement's answer, or undefined when it returned none. */
export async function queryRow<R>(
  db: Queryable,
  sql: string,
  params: unknown[] = [],
): Promise<R | undefined> {
  return (await queryRows<R>(db, sql, params))[0];
}
