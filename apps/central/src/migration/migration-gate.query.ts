import { type DataSource } from 'typeorm';
import { AGENT_STATUS_VIEW } from '../agents/agent-status.query.js';
import { type AgentGateFacts } from './agent-gate-facts.js';

/*
 * A REPORT (ADR 47): the facts the `secure_only` gate and the migration's checks judge, read across
 * domains in one statement each, because the gate judges every agent of the fleet at once (ADR 12, ADR 40).
 * Reads: agents and central_nodes (the agents' status view), agent_connection_stats (agents),
 * migration_exemptions (migration), rollouts and rollout_agents (rollouts), profiles and
 * profile_revisions (profiles), agent_desired_profiles (rollouts). Writes nothing.
 */

interface GateFactsRow {
  id: string;
  status: AgentGateFacts['status'];
  transport: string | null;
  via: string | null;
  agent_version: string | null;
  capabilities: string[] | null;
  connected_at: Date | null;
  last_seen_at: Date | null;
  groups: string[];
  reported_groups: string[];
  enrolled_at: Date;
  last_transport: string | null;
  last_connected_at: Date | null;
  last_secure_at: Date | null;
  last_plain_at: Date | null;
  longest_offline_gap_seconds: string | number | null;
  exemption_reason: string | null;
  exemption_expires_at: Date | null;
  rollout_id: string | null;
  rollout_state: string | null;
  rollout_reason: string | null;
  db_now: Date;
}

/** A plain class: central and the `migrate` CLI both construct it. */
export class MigrationGateQuery {
  constructor(private readonly db: Pick<DataSource, 'query'>) {}

  /**
   * Every registered (not revoked) agent with its history, active exemption, and its entry in the newest
   * publish rollout that reached it when that entry failed: found from the failed entries (a partial
   * index), never by walking each agent's rollout history (ADR 52).
   */
  async gateFacts(): Promise<{ now: Date; agents: AgentGateFacts[] }> {
    const rows = (await this.db.query(
      `SELECT v.id, v.status, v.transport, v.via, v.agent_version, v.capabilities, v.connected_at, v.last_seen_at,
              v.groups, v.reported_groups, v.enrolled_at,
              s.last_transport, s.last_connected_at, s.last_secure_at, s.last_plain_at,
              s.longest_offline_gap_seconds,
              e.reason AS exemption_reason, e.expires_at AS exemption_expires_at,
              f.rollout_id, f.state AS rollout_state, f.reason AS rollout_reason,
              now() AS db_now
         FROM (${AGENT_STATUS_VIEW}) v
         LEFT JOIN agent_connection_stats s ON s.agent_id = v.id
         LEFT JOIN migration_exemptions e ON e.agent_id = v.id AND e.expires_at > now()
         LEFT JOIN (
           SELECT DISTINCT ON (ra.agent_id) ra.agent_id, ra.rollout_id, ra.state, ra.reason FROM rollout_agents ra
             JOIN rollouts r ON r.id = ra.rollout_id AND r.mode = 'publish'
            WHERE ra.state IN ('failed', 'stale', 'needs_upgrade')
              AND NOT EXISTS (SELECT 1 FROM rollout_agents rb
                                JOIN rollouts rn ON rn.id = rb.rollout_id AND rn.mode = 'publish'
                               WHERE rb.agent_id = ra.agent_id AND rn.created_at > r.created_at)
            ORDER BY ra.agent_id, r.created_at DESC) f ON f.agent_id = v.id
        WHERE v.revoked_at IS NULL
        ORDER BY v.id`,
    )) as GateFactsRow[];
    const now = rows[0] ? rows[0].db_now : await this.now();
    return { now, agents: rows.map(toGateFacts) };
  }

  /** Agents online over secure now: closing the secure listener would cut them off. */
  async onlineOverSecure(): Promise<string[]> {
    const rows = (await this.db.query(
      `SELECT id FROM (${AGENT_STATUS_VIEW}) v WHERE v.status = 'online' AND v.transport LIKE 'secure%' ORDER BY id`,
    )) as Array<{ id: string }>;
    return rows.map((r) => r.id);
  }

  /** The agent.conf of every profile draft and of every revision some agent should run (`central.host`). */
  async profileCentralHosts(): Promise<string[]> {
    const rows = (await this.db.query(
      `SELECT draft_agent_conf AS conf FROM profiles
       UNION ALL
       SELECT r.agent_conf FROM profile_revisions r
         JOIN (SELECT DISTINCT profile_name, revision FROM agent_desired_profiles) d
           ON d.profile_name = r.profile_name AND d.revision = r.revision`,
    )) as Array<{ conf: string }>;
    return rows.map((r) => r.conf);
  }

  private async now(): Promise<Date> {
    const [r] = (await this.db.query('SELECT now() AS now')) as Array<{ now: Date }>;
    return r!.now;
  }
}

function toGateFacts(r: GateFactsRow): AgentGateFacts {
  return {
    id: r.id,
    status: r.status,
    transport: r.transport,
    via: r.via ?? null,
    agentVersion: r.agent_version,
    capabilities: r.capabilities ?? [],
    connectedAt: r.connected_at,
    lastSeenAt: r.last_seen_at,
    groups: [...new Set([...r.groups, ...r.reported_groups])].sort(),
    enrolledAt: r.enrolled_at,
    history: r.last_connected_at
      ? {
          lastTransport: r.last_transport,
          lastConnectedAt: r.last_connected_at,
          lastSecureAt: r.last_secure_at,
          lastPlainAt: r.last_plain_at,
          longestOfflineGapSeconds: Number(r.longest_offline_gap_seconds),
        }
      : null,
    exemption:
      r.exemption_reason && r.exemption_expires_at
        ? { reason: r.exemption_reason, expiresAt: r.exemption_expires_at }
        : null,
    rollout: r.rollout_id
      ? { rolloutId: r.rollout_id, state: r.rollout_state!, reason: r.rollout_reason }
      : null,
  };
}
