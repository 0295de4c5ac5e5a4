// The `pg` pool behind TypeORM's DataSource, as admission control watches it (listeners/pool-pressure.ts).

/** What this reads of the `pg` pool behind TypeORM: its public counters and its `acquire` event. */
export interface PoolLike {
  totalCount: number;
  idleCount: number;
  waitingCount: number;
  options?: { max?: number };
  on(event: 'acquire', listener: () => void): unknown;
}

/** The pool of a TypeORM DataSource on the `pg` driver, when it has one (undefined for anything else). */
export function poolOf(dataSource: { driver: unknown }): PoolLike | undefined {
  const pool = (dataSource.driver as { master?: Partial<PoolLike> } | undefined)?.master;
  return pool && typeof pool.waitingCount === 'number' && typeof pool.on === 'function'
    ? (pool as PoolLike)
    : undefined;
}
