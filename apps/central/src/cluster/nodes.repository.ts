import { Injectable } from '@nestjs/common';
import { DataSource } from 'typeorm';
import { pruneDeadNodes } from './dead-nodes.query.js';
import { NODE_LEASE_CLASS } from './node-lease.js';

export interface BoundListener {
  kind: 'plain' | 'secure';
  address: string;
  port: number;
  tls: boolean;
  connections: number;
  /** Set when this node binds another port than the settings say (a per-node override, ADR 34). */
  configuredPort?: number;
  /** The environment variable that overrides the port on this node. */
  portFrom?: string;
}

/** A listener the settings ask for that this node could not bind, and why, in operator words. */
export interface ListenerFailure {
  kind: 'plain' | 'secure';
  address: string;
  port: number;
  reason: string;
  since: string;
}

export interface NodeRecord {
  id: string;
  name: string;
  startedAt: Date;
  heartbeatAt: Date;
  alive: boolean;
  listeners: BoundListener[];
  listenerFailures: ListenerFailure[];
}

/** A node whose heartbeat is older than this is considered dead (its agents are not online). */
export const NODE_STALE_AFTER_SECONDS = 20;

/**
 * A node silent this long is declared dead even while it holds its lease: its process lives, but an
 * event loop stuck that long serves no agent either.
 */
export const NODE_HUNG_AFTER_SECONDS = 120;

/** SQL: the `central_nodes` row `alias` names a node whose lease PostgreSQL holds for it (ADR 34). */
const leaseHeld = (alias: string) => `(${alias}.lease_key IS NOT NULL AND EXISTS (
    SELECT 1 FROM pg_locks l
     WHERE l.locktype = 'advisory' AND l.granted AND l.objsubid = 2
       AND l.database = (SELECT oid FROM pg_database WHERE datname = current_database())
       AND l.classid = ${NODE_LEASE_CLASS}::bigint::oid AND l.objid = ${alias}.lease_key::bigint::oid))`;

/**
 * SQL: the `central_nodes` row `alias` names a live node (ADR 34): its heartbeat is fresh, or it is late
 * but still holds its lease and beat within NODE_HUNG_AFTER_SECONDS. Every judgement of liveness uses
 * this one rule — the sweeper's, the status operators see, the stale walk's — so a late node's agents are
 * neither swept nor shown disconnected while it lives. Null for a missing row (a LEFT JOIN): not alive.
 */
export const nodeAlive = (alias: string) =>
  `(${alias}.heartbeat_at > now() - make_interval(secs => ${NODE_STALE_AFTER_SECONDS})
    OR (${alias}.heartbeat_at > now() - make_interval(secs => ${NODE_HUNG_AFTER_SECONDS}) AND ${leaseHeld(alias)}))`;

@Injectable()
export class NodesRepository {
  constructor(private readonly db: DataSource) {}

  /**
   * Writes this node's heartbeat, listeners and lease key (undefined: not held, only the heartbeat
   * tells). Returns true when the row had to be created: at the first beat, or after another node
   * declared this one dead and deleted it.
   */
  async upsert(
    id: string,
    name: string,
    listeners: BoundListener[],
    leaseKey: number | undefined,
    failures: ListenerFailure[] = [],
    via: SqlQueryable = this.db,
  ): Promise<boolean> {
    const rows = rowsOf<{ created: boolean }>(
      await via.query(
        `INSERT INTO central_nodes (id, name, listeners, lease_key, listener_failures) VALUES ($1, $2, $3, $4, $5)
         ON CONFLICT (id) DO UPDATE SET heartbeat_at = now(), listeners = EXCLUDED.listeners,
           lease_key = EXCLUDED.lease_key, listener_failures = EXCLUDED.listener_failures
         RETURNING (xmax = 0) AS created`,
        [id, name, JSON.stringify(listeners), leaseKey ?? null, JSON.stringify(failures)],
      ),
    );
    return rows[0]?.created === true;
  }

  /**
   * Nodes other than `selfId` to declare dead by their heartbeat: silent for NODE_STALE_AFTER_SECONDS
   * and holding no lease, or silent for NODE_HUNG_AFTER_SECONDS whatever their lease says. A node that
   * still holds its lease is alive as PostgreSQL sees it (ADR 34): under a heavy storm its heartbeat
   * may come late, and marking its agents disconnected then left connected agents shown disconnected
   * for good (measured with 100,000 agents: 19,884 of them).
   */
  async silentWithoutLease(selfId: string): Promise<string[]> {
    const rows: Array<{ id: string }> = await this.db.query(
      `SELECT n.id FROM central_nodes n WHERE n.id <> $1 AND NOT ${nodeAlive('n')}`,
      [selfId],
    );
    return rows.map((r) => r.id);
  }

  /**
   * Nodes other than `selfId` that published a lease whose advisory lock no connection holds any more:
   * their process (or its connection to PostgreSQL) is gone (ADR 34).
   */
  async withReleasedLease(selfId: string): Promise<string[]> {
    const rows: Array<{ id: string }> = await this.db.query(
      `SELECT n.id FROM central_nodes n
        WHERE n.id <> $1 AND n.lease_key IS NOT NULL
          AND NOT EXISTS (
            SELECT 1 FROM pg_locks l
             WHERE l.locktype = 'advisory' AND l.granted AND l.objsubid = 2
               AND l.database = (SELECT oid FROM pg_database WHERE datname = current_database())
               AND l.classid = $2::bigint::oid AND l.objid = n.lease_key::bigint::oid)`,
      [selfId, NODE_LEASE_CLASS],
    );
    return rows.map((r) => r.id);
  }

  async remove(id: string): Promise<void> {
    await this.db.query('DELETE FROM central_nodes WHERE id = $1', [id]);
  }

  async list(): Promise<NodeRecord[]> {
    const rows: Array<{
      id: string;
      name: string;
      started_at: Date;
      heartbeat_at: Date;
      alive: boolean;
      listeners: BoundListener[];
      listener_failures: ListenerFailure[] | null;
    }> = await this.db.query(
      `SELECT id, name, started_at, heartbeat_at, listeners, listener_failures, ${nodeAlive('n')} AS alive
         FROM central_nodes n ORDER BY started_at`,
    );
    return rows.map((r) => ({
      id: r.id,
      name: r.name,
      startedAt: r.started_at,
      heartbeatAt: r.heartbeat_at,
      alive: r.alive,
      listeners: r.listeners,
      listenerFailures: r.listener_failures ?? [],
    }));
  }

  /**
   * Forgets nodes dead for an hour once no agent is left "online" on them: their last heartbeat is when
   * those agents were last seen, until the sweeper has written it to them.
   */
  pruneDead(): Promise<void> {
    return pruneDeadNodes(this.db);
  }
}

/** What runs one statement: a TypeORM DataSource or QueryRunner, or a `pg` Client or Pool. */
export interface SqlQueryable {
  query(sql: string, params?: unknown[]): Promise<unknown>;
}

/**
 * Deletes the row of the node `nodeId`, known to be gone, so no listing shows it alive; answers its last
 * heartbeat (null: the row was gone already). Works on a plain `pg` client too (a cluster primary).
 */
export async function deleteNodeRow(db: SqlQueryable, nodeId: string): Promise<Date | null> {
  const rows = rowsOf<{ heartbeat_at: Date }>(
    await db.query(
      'WITH gone AS (DELETE FROM central_nodes WHERE id = $1 RETURNING heartbeat_at) SELECT heartbeat_at FROM gone',
      [nodeId],
    ),
  );
  return rows[0]?.heartbeat_at ?? null;
}

/** The rows of an answer from a TypeORM DataSource (the rows) or a `pg` Client (a result holding them). */
export function rowsOf<T>(result: unknown): T[] {
  return (Array.isArray(result) ? result : (result as { rows: unknown[] }).rows) as T[];
}
