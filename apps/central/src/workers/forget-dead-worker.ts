import { type DataSource } from 'typeorm';
import { markDeadNodeSessions } from '../agents/dead-node-sessions.repository.js';

/**
 * A worker process has exited: its node is certainly dead, so its agents must not be shown online even
 * for the second or two the other nodes take to see its lease released (ADR 34). The same statement the
 * survivors use: its node row goes and the agents it still held are marked disconnected, seen last at its
 * last heartbeat (ADR 22). Returns how many agents were marked.
 */
export function forgetDeadWorkerNode(db: DataSource, nodeId: string): Promise<number> {
  return markDeadNodeSessions(db, nodeId);
}
