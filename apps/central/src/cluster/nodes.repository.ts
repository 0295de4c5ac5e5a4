import { Injectable } from '@nestjs/common';
import { DataSource } from 'typeorm';

export interface BoundListener {
  kind: 'plain' | 'secure';
  address: string;
  port: number;
  tls: boolean;
  connections: number;
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

@Injectable()
export class NodesRepository {
  constructor(private readonly db: DataSource) {}

  async upsert(
    id: string,
    name: string,
    listeners: BoundListener[],
    failures: ListenerFailure[] = [],
  ): Promise<void> {
    await this.db.query(
      `INSERT INTO central_nodes (id, name, listeners, listener_failures) VALUES ($1, $2, $3, $4)
       ON CONFLICT (id) DO UPDATE SET heartbeat_at = now(), listeners = EXCLUDED.listeners,
         listener_failures = EXCLUDED.listener_failures`,
      [id, name, JSON.stringify(listeners), JSON.stringify(failures)],
    );
  }

  async remove(id: string): Promise<void> {
    await this.db.query('DELETE FROM central_nodes WHERE id = $1', [id]);
  }

  async list(): Promise<NodeRecord[]> {
    const rows: Array<Record<string, unknown>> = await this.db.query(
      `SELECT id, name, started_at, heartbeat_at, listeners, listener_failures,
              heartbeat_at > now() - make_interval(secs => $1) AS alive
         FROM central_nodes ORDER BY started_at`,
      [NODE_STALE_AFTER_SECONDS],
    );
    return rows.map((r) => ({
      id: r.id as string,
      name: r.name as string,
      startedAt: r.started_at as Date,
      heartbeatAt: r.heartbeat_at as Date,
      alive: r.alive as boolean,
      listeners: r.listeners as BoundListener[],
      listenerFailures: (r.listener_failures as ListenerFailure[] | null) ?? [],
    }));
  }

  /**
   * Forgets nodes dead for an hour once no agent is left "online" on them: their last heartbeat is when
   * those agents were last seen, until the sweeper has written it to them.
   */
  async pruneDead(): Promise<void> {
    await this.db.query(
      `DELETE FROM central_nodes n WHERE n.heartbeat_at < now() - interval '1 hour'
          AND NOT EXISTS (SELECT 1 FROM agents a WHERE a.node_id = n.id AND a.connection_status = 'online')`,
    );
  }
}
