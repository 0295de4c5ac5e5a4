import { type DataSource } from 'typeorm';

/*
 * A REPORT (ADR 47): a dead node's row may go only once none of its agents is shown online, since its
 * last heartbeat is when they were last seen until the sweeper writes it to them. Reads: agents (agents).
 * Writes only central_nodes, its own folder's table.
 */

/** Forgets nodes dead for an hour once no agent is left "online" on them. */
export async function pruneDeadNodes(db: Pick<DataSource, 'query'>): Promise<void> {
  await db.query(
    `DELETE FROM central_nodes n WHERE n.heartbeat_at < now() - interval '1 hour'
        AND NOT EXISTS (SELECT 1 FROM agents a WHERE a.node_id = n.id AND a.connection_status = 'online')`,
  );
}
