import { nodeAlive } from '../cluster/nodes.repository.js';

/*
 * A REPORT (ADR 47): the status operators see is the stored status corrected by node liveness (ADR 5):
 * an agent marked online on a node that is not alive (`nodeAlive`: heartbeat stopped, and no lease held
 * for a late one, ADR 34) is shown `disconnected` at once, before the sweeper rewrites the row. Reads: agents (its own folder) and central_nodes (cluster). Only the agents
 * folder and the report modules of ADR 47 use it; other folders ask AgentsRepository.
 */

// An online agent was seen at its node's last heartbeat: its session would have ended otherwise (ADR 22).
// The row's last_seen_at is written when a session starts and ends, never while it lasts.
const VIEW = `
  SELECT a.id, a.agent_version, a.capabilities, a.profile_sha256, a.staged_profile_sha256, a.groups, a.reported_groups, a.transport, a.via, a.node_id, a.remote_address, a.listener_address,
         a.enrolled_at, a.revoked_at, a.connected_at,
         CASE WHEN a.connection_status = 'online' THEN greatest(a.last_seen_at, n.heartbeat_at)
              ELSE a.last_seen_at END AS last_seen_at,
         CASE WHEN a.connection_status = 'online' AND NOT COALESCE(${nodeAlive('n')}, false)
              THEN 'disconnected' ELSE a.connection_status END AS status
    FROM agents a LEFT JOIN central_nodes n ON n.id = a.node_id`;

/** Every agent with the status operators see (stored status corrected by node liveness, ADR 5). */
export const AGENT_STATUS_VIEW = VIEW;

/** SQL: the agent row `alias` has a live session (online, on a node whose heartbeat goes on). */
export const liveSession = (alias: string) => `(${alias}.connection_status = 'online' AND EXISTS (
    SELECT 1 FROM central_nodes n WHERE n.id = ${alias}.node_id AND ${nodeAlive('n')}))`;

/** SQL: the agent row `alias` has no live session (none, or on a node whose heartbeat stopped). */
export const notOnline = (alias: string) => `NOT ${liveSession(alias)}`;

/** SQL: the last heartbeat of the node the agent row `alias` names (null: the node's row is gone). */
export const nodeHeartbeat = (alias: string) =>
  `(SELECT n.heartbeat_at FROM central_nodes n WHERE n.id = ${alias}.node_id)`;

/** SQL: the agent row `alias` is "online" on a node that has no row any more. */
export const onlineOnMissingNode = (alias: string) => `(${alias}.connection_status = 'online'
    AND NOT EXISTS (SELECT 1 FROM central_nodes n WHERE n.id = ${alias}.node_id))`;
