import { Injectable } from '@nestjs/common';
import { DataSource } from 'typeorm';
import { deleteNodeRow, rowsOf, type SqlQueryable } from '../cluster/nodes.repository.js';

export { type SqlQueryable };

// The agents the dead node still held are marked disconnected, seen last at its last heartbeat (ADR 22).
// Only rows that still name the dead node: an agent that already reconnected to another node has that
// node's id and keeps its status. Rows are locked in id order first, as the session batches lock theirs,
// so the two cannot deadlock.
const MARK_HELD_SESSIONS = `
  WITH held AS (
         SELECT a.id FROM agents a WHERE a.node_id = $1 AND a.connection_status = 'online'
          ORDER BY a.id FOR UPDATE OF a),
       marked AS (
         UPDATE agents a SET connection_status = 'disconnected',
                last_seen_at = greatest(a.last_seen_at, $2::timestamptz)
           FROM held h
          WHERE a.id = h.id AND a.node_id = $1 AND a.connection_status = 'online'
          RETURNING a.id)
  SELECT count(*)::int AS marked FROM marked`;

/**
 * Declares the central node `nodeId` dead: its row goes (cluster's) and the agents it still held are
 * marked disconnected. Two statements (ADR 47: each table written by its owner): in between, the status
 * view already shows those agents disconnected (their node has no heartbeat), and should the second never
 * run the sweeper marks them. For a node known to be gone (its lease released, its worker process
 * exited); never call it for a live node: its agents would be shown disconnected until it closes their
 * sessions. Idempotent; returns how many agents it marked.
 */
export async function markDeadNodeSessions(db: SqlQueryable, nodeId: string): Promise<number> {
  const heartbeat = await deleteNodeRow(db, nodeId);
  const result = await db.query(MARK_HELD_SESSIONS, [nodeId, heartbeat]);
  return rowsOf<{ marked: number }>(result)[0]?.marked ?? 0;
}

/** `markDeadNodeSessions` for the dead-node watch, injected like every repository. */
@Injectable()
export class DeadNodeSessionsRepository {
  constructor(private readonly db: DataSource) {}

  mark(nodeId: string): Promise<number> {
    return markDeadNodeSessions(this.db, nodeId);
  }
}
