import { Injectable } from '@nestjs/common';
import { DataSource } from 'typeorm';

/**
 * How long `/api/ready` waits for `SELECT 1`. A balancer's check gives up after a couple of seconds
 * (docs/multi-node.md: `timeout check 2s`); the pool would wait 10 s for a connection. Answering 503
 * with the reason before the check times out says why the node left rotation.
 */
export const READY_WITHIN_MS = 1_500;

interface PoolCounts {
  totalCount: number;
  idleCount: number;
  waitingCount: number;
  options?: { max?: number };
}

/** The pool's counts in words (`3 of 3 connections busy, 5 statements waiting`), when the driver has them. */
export function poolState(db: DataSource): string | undefined {
  const pool = (db.driver as { master?: PoolCounts }).master;
  if (!pool || typeof pool.totalCount !== 'number') return undefined;
  const busy = pool.totalCount - pool.idleCount;
  const max = pool.options?.max ?? pool.totalCount;
  return `${busy} of ${max} pool connections busy, ${pool.waitingCount} statement(s) waiting for one`;
}

/** Resolves when the database answered in time; rejects with the reason in words otherwise. */
export async function probeDatabase(db: DataSource, withinMs = READY_WITHIN_MS): Promise<void> {
  let timer: NodeJS.Timeout | undefined;
  const query = db.query('SELECT 1');
  const late = new Promise<never>((_, reject) => {
    timer = setTimeout(() => {
      const pool = poolState(db);
      reject(new Error(`did not answer within ${withinMs / 1000} s${pool ? ` (${pool})` : ''}`));
    }, withinMs);
  });
  query.catch(() => undefined); // a late failure after the timeout is already answered
  try {
    await Promise.race([query, late]);
  } finally {
    clearTimeout(timer);
  }
}

/** The readiness check's view of the database, so health/ needs no handle on the ORM. */
@Injectable()
export class DatabaseProbe {
  constructor(private readonly db: DataSource) {}

  answers(withinMs = READY_WITHIN_MS): Promise<void> {
    return probeDatabase(this.db, withinMs);
  }
}
