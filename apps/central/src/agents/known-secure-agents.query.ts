import { type TrustAnchor, type Transport } from '../../../../libs/protocol/index.js';
import { AGENT_STATUS_VIEW } from './agent-status.query.js';
import { type ConnectionStatus } from './agents.repository.js';

/*
 * A REPORT (ADR 47): the certificate guard's facts (ADR 24), one row per agent a server-certificate change
 * must not strand. Reads: agents, agent_trust_anchors and agent_connection_stats (its own folder's),
 * central_nodes (node liveness; cluster) and migration_exemptions (migration). Writes nothing.
 */

/** What runs one statement: a DataSource, a QueryRunner or a `pg` client. */
export interface Queryable {
  query(sql: string, params?: unknown[]): Promise<unknown>;
}

/** What central knows of one agent's trust, for the certificate guard (ADR 24). */
export interface AgentTrustFacts {
  id: string;
  status: ConnectionStatus;
  transport: Transport | null;
  via: string | null;
  agentVersion: string | null;
  lastSeenAt: Date | null;
  /** The anchors the agent last reported; null: it never did ("unknown"). */
  trustAnchors: TrustAnchor[] | null;
  reportedAt: Date | null;
}

interface KnownSecureRow {
  id: string;
  status: ConnectionStatus;
  transport: Transport | null;
  via: string | null;
  agent_version: string | null;
  last_seen_at: Date | null;
  anchors: TrustAnchor[] | null;
  reported_at: Date | null;
}

/**
 * The agents a server-certificate change must not strand: not revoked, not exempted (migration
 * exemptions), last connected over TLS (plain sessions do not use the certificate), and online or
 * seen within their observation window — `max(windowHours, 1.5 × longest offline gap)`, as the
 * secure_only gate (ADR 12).
 */
export async function knownSecureAgents(db: Queryable, windowHours: number): Promise<AgentTrustFacts[]> {
  const rows = (await db.query(
    `SELECT v.id, v.status, v.transport, v.via, v.agent_version, v.last_seen_at, t.anchors, t.reported_at
         FROM (${AGENT_STATUS_VIEW}) v
         LEFT JOIN agent_trust_anchors t ON t.agent_id = v.id
         LEFT JOIN agent_connection_stats s ON s.agent_id = v.id
        WHERE v.revoked_at IS NULL
          AND v.transport IS NOT NULL AND v.transport <> 'plain'
          AND NOT EXISTS (SELECT 1 FROM migration_exemptions e WHERE e.agent_id = v.id AND e.expires_at > now())
          AND (v.status = 'online' OR v.last_seen_at > now() - make_interval(secs =>
                 greatest($1::double precision * 3600, 1.5 * coalesce(s.longest_offline_gap_seconds, 0))))
        ORDER BY v.id`,
    [windowHours],
  )) as KnownSecureRow[];
  return rows.map((r) => ({
    id: r.id,
    status: r.status,
    transport: r.transport,
    via: r.via ?? null,
    agentVersion: r.agent_version,
    lastSeenAt: r.last_seen_at,
    trustAnchors: r.anchors ?? null,
    reportedAt: r.reported_at ?? null,
  }));
}
