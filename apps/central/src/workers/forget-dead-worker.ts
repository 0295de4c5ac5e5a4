import { type DataSource } from 'typeorm';
import { AgentsRepository } from '../agents/agents.repository.js';
import { NodesRepository } from '../cluster/nodes.repository.js';

/**
 * A worker process has exited: its node is certainly dead, so its agents must not be shown online even
 * for the 20 s a stopped heartbeat takes to count (ADR 5). Its sessions are marked disconnected (seen last
 * at its last heartbeat, ADR 22), then its node row goes: from then on the status view shows any agent
 * still stored online on it disconnected, even one whose hello the dying worker had in flight.
 * Returns how many agents were marked.
 */
export async function forgetDeadWorkerNode(db: DataSource, nodeId: string): Promise<number> {
  const marked = await new AgentsRepository(db).markNodeSessionsDisconnected(nodeId, 'last-heartbeat');
  await new NodesRepository(db).remove(nodeId);
  return marked;
}
