import { type TargetAgent } from '../agents/fleet-agents.repository.js';
import { type RolloutAgentState } from './rollout-agent-state.js';
import { type Queryable } from './rollouts.repository.js';

/*
 * A REPORT (ADR 47): what agent-package rollouts (ADR 45) read of the agents and the packages, each in one
 * statement, as the dispatcher's pass and the hello path need it. Reads: agents (agents), agent_packages
 * (agent-packages). Writes only rollout_agents (its own folder's).
 */

/** An entry of a package rollout that is due an `agent.upgrade` on a session this node holds. */
export interface DueUpgrade {
  rolloutId: string;
  agentId: string;
  attempts: number;
  state: RolloutAgentState;
  sessionId: string;
  version: string;
  sha256: string;
  sizeBytes: number;
  manifest: string;
  centralSignature: Buffer;
}

/**
 * Agents that need an upgrade: those that said hello without the `wss` capability (the migration
 * gate's "cannot connect securely"), and those a running rollout marked needs_upgrade.
 */
const NEEDING_UPGRADE = `FROM agents a
      WHERE revoked_at IS NULL
        AND (   (agent_version IS NOT NULL AND NOT coalesce(capabilities, '[]'::jsonb) ? 'wss')
             OR EXISTS (SELECT 1 FROM rollout_agents ra JOIN rollouts r ON r.id = ra.rollout_id
                         WHERE ra.agent_id = a.id AND ra.state = 'needs_upgrade'
                           AND r.state IN ('running', 'paused', 'awaiting_approval', 'halted')))`;

/** Every agent that needs an upgrade (NEEDING_UPGRADE), by id: a rollout's targets. */
export async function agentsNeedingUpgrade(db: Queryable): Promise<TargetAgent[]> {
  const rows = (await db.query(
    `SELECT id, agent_version, capabilities ${NEEDING_UPGRADE} ORDER BY id`,
  )) as Array<{ id: string; agent_version: string | null; capabilities: string[] | null }>;
  return rows.map((r) => ({ id: r.id, agentVersion: r.agent_version, capabilities: r.capabilities ?? [] }));
}

/** How many agents need an upgrade, counted in the database, and the first `shown` ids: a preview. */
export async function countAgentsNeedingUpgrade(
  db: Queryable,
  shown: number,
): Promise<{ count: number; agentIds: string[] }> {
  const [row] = (await db.query(
    `WITH needing AS (SELECT a.id ${NEEDING_UPGRADE})
     SELECT (SELECT count(*) FROM needing)::int AS count,
            ARRAY(SELECT id FROM needing ORDER BY id LIMIT $1) AS agent_ids`,
    [shown],
  )) as Array<{ count: number; agent_ids: string[] }>;
  return { count: row!.count, agentIds: row!.agent_ids };
}

interface DueUpgradeRow {
  rollout_id: string;
  agent_id: string;
  attempts: string | number;
  state: RolloutAgentState;
  session_id: string;
  version: string;
  sha256: string;
  size_bytes: string | number;
  manifest: string;
  central_signature: Buffer;
}

/**
 * Entries of sending package rollouts (their wave reached) whose agent is online on this node and was
 * not sent `agent.upgrade` on its current session yet: pending ones, and stale ones (sent again).
 */
export async function dueUpgrades(db: Queryable, nodeId: string, limit: number): Promise<DueUpgrade[]> {
  const rows = (await db.query(
    `SELECT ra.rollout_id, ra.agent_id, ra.attempts, ra.state, a.session_id,
            p.version, p.sha256, p.size_bytes, p.manifest, p.central_signature
       FROM rollout_agents ra
       JOIN rollouts r ON r.id = ra.rollout_id
       JOIN agent_packages p ON p.version = r.package_version
       JOIN agents a ON a.id = ra.agent_id
      WHERE r.kind = 'agent_package' AND r.state IN ('running', 'awaiting_approval')
        AND ra.wave <= r.current_wave AND ra.state IN ('pending', 'stale')
        AND a.node_id = $1 AND a.connection_status = 'online' AND a.session_id IS NOT NULL
        AND ra.sent_session IS DISTINCT FROM a.session_id
      ORDER BY r.created_at, ra.agent_id LIMIT $2`,
    [nodeId, limit],
  )) as DueUpgradeRow[];
  return rows.map((r) => ({
    rolloutId: r.rollout_id,
    agentId: r.agent_id,
    attempts: Number(r.attempts),
    state: r.state,
    sessionId: r.session_id,
    version: r.version,
    sha256: r.sha256,
    sizeBytes: Number(r.size_bytes),
    manifest: r.manifest,
    centralSignature: r.central_signature,
  }));
}

/**
 * Entries under way whose agent now runs the rollout's version (it said so at hello): applied, even if
 * its `upgraded` was lost with a connection. Returns the rollouts that changed.
 */
export async function reconcileVersions(db: Queryable): Promise<string[]> {
  const rows = (await db.query(
    `UPDATE rollout_agents ra
        SET state = 'applied', reason = NULL, state_changed_at = now(), applied_at = now()
       FROM rollouts r, agents a
      WHERE r.id = ra.rollout_id AND a.id = ra.agent_id AND r.kind = 'agent_package'
        AND r.state IN ('running', 'paused', 'awaiting_approval', 'halted')
        AND ra.state IN ('synchronizing', 'synchronized', 'applying', 'stale')
        AND ra.attempts > 0 AND a.agent_version = r.package_version
      RETURNING ra.rollout_id`,
  )) as [Array<{ rollout_id: string }>, number];
  return [...new Set((rows[0] ?? []).map((r) => r.rollout_id))];
}
