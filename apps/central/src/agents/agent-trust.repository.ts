import { Injectable } from '@nestjs/common';
import { DataSource } from 'typeorm';
import { type TrustAnchor, type Transport } from '../../../../libs/protocol/index.js';
import { AGENT_STATUS_VIEW, type ConnectionStatus } from './agents.repository.js';

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

export interface TrustAnchorsWrite {
  agentId: string;
  /** null: the agent connected over wss without reporting (an older agent): forget its old report. */
  anchors: TrustAnchor[] | null;
  hash: string;
}

/** The `agent_trust_anchors` table: one row per agent that reported what it trusts. */
@Injectable()
export class AgentTrustRepository {
  constructor(private readonly db: DataSource) {}

  /** Every stored report's hash, to compare hellos against without a query each. */
  async storedHashes(): Promise<Map<string, string>> {
    const rows = (await this.db.query('SELECT agent_id, anchors_hash FROM agent_trust_anchors')) as Array<{
      agent_id: string;
      anchors_hash: string;
    }>;
    return new Map(rows.map((r) => [r.agent_id, r.anchors_hash]));
  }

  /** Stores a batch of changed reports in two statements (agents deleted meanwhile are skipped). */
  async write(batch: TrustAnchorsWrite[]): Promise<void> {
    const reports = batch.filter((w) => w.anchors !== null);
    const forgotten = batch.filter((w) => w.anchors === null).map((w) => w.agentId);
    if (reports.length > 0) {
      await this.db.query(
        `INSERT INTO agent_trust_anchors AS t (agent_id, anchors, anchors_hash, reported_at)
         SELECT x.agent_id, x.anchors, x.anchors_hash, now()
           FROM jsonb_to_recordset($1::jsonb) AS x(agent_id text, anchors jsonb, anchors_hash text)
          WHERE EXISTS (SELECT 1 FROM agents a WHERE a.id = x.agent_id)
         ON CONFLICT (agent_id) DO UPDATE SET anchors = EXCLUDED.anchors, anchors_hash = EXCLUDED.anchors_hash,
                reported_at = now()
          WHERE t.anchors_hash IS DISTINCT FROM EXCLUDED.anchors_hash`,
        [
          JSON.stringify(
            reports.map((w) => ({ agent_id: w.agentId, anchors: w.anchors, anchors_hash: w.hash })),
          ),
        ],
      );
    }
    if (forgotten.length > 0) {
      await this.db.query('DELETE FROM agent_trust_anchors WHERE agent_id = ANY($1)', [forgotten]);
    }
  }

  /** The stored reports of these agents (a page of the agent list), by agent id. */
  async findMany(agentIds: string[]): Promise<Map<string, { anchors: TrustAnchor[]; reportedAt: Date }>> {
    if (agentIds.length === 0) return new Map();
    const rows = (await this.db.query(
      'SELECT agent_id, anchors, reported_at FROM agent_trust_anchors WHERE agent_id = ANY($1)',
      [agentIds],
    )) as Array<{ agent_id: string; anchors: TrustAnchor[]; reported_at: Date }>;
    return new Map(rows.map((r) => [r.agent_id, { anchors: r.anchors, reportedAt: r.reported_at }]));
  }

  async find(agentId: string): Promise<{ anchors: TrustAnchor[]; reportedAt: Date } | undefined> {
    const [row] = (await this.db.query(
      'SELECT anchors, reported_at FROM agent_trust_anchors WHERE agent_id = $1',
      [agentId],
    )) as Array<{ anchors: TrustAnchor[]; reported_at: Date }>;
    return row ? { anchors: row.anchors, reportedAt: row.reported_at } : undefined;
  }

  /**
   * The agents a server-certificate change must not strand: not revoked, not exempted (migration
   * exemptions), last connected over TLS (plain sessions do not use the certificate), and online or
   * seen within their observation window — `max(windowHours, 1.5 × longest offline gap)`, as the
   * secure_only gate (ADR 12).
   */
  async knownSecureAgents(windowHours: number): Promise<AgentTrustFacts[]> {
    const rows = (await this.db.query(
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
    )) as Array<Record<string, unknown>>;
    return rows.map((r) => ({
      id: r.id as string,
      status: r.status as ConnectionStatus,
      transport: r.transport as Transport | null,
      via: (r.via as string | null) ?? null,
      agentVersion: r.agent_version as string | null,
      lastSeenAt: r.last_seen_at as Date | null,
      trustAnchors: (r.anchors as TrustAnchor[] | null) ?? null,
      reportedAt: (r.reported_at as Date | null) ?? null,
    }));
  }
}
