import { Injectable } from '@nestjs/common';
import { DataSource } from 'typeorm';
import { type TrustAnchor } from '../../../../libs/protocol/index.js';
import { knownSecureAgents, type AgentTrustFacts } from './known-secure-agents.query.js';

export { type AgentTrustFacts };

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
   * The agents a server-certificate change must not strand (the report in known-secure-agents.query.ts,
   * ADR 47: it reads the migration's exemptions too).
   */
  knownSecureAgents(windowHours: number): Promise<AgentTrustFacts[]> {
    return knownSecureAgents(this.db, windowHours);
  }
}
