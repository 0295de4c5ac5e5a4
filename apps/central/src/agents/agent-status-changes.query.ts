import { Injectable } from '@nestjs/common';
import { DataSource } from 'typeorm';
import { AGENT_STATUS_VIEW } from './agent-status.query.js';
import { agentViewOf, type AgentView } from './agents.repository.js';
import { nodeAlive } from '../cluster/nodes.repository.js';

export interface AgentStatusChanges {
  /** Where the next read starts: the oldest transaction still running when this one read (32-bit xid). */
  since: string;
  /** Registered agents now, counted in the same snapshot: fewer than known means some were deleted. */
  total: number;
  /** Rows written since `since` (all rows when it was undefined), and the online rows of `nodes`. */
  rows: AgentView[];
}

/**
 * What the live agent status reads (ADR 52): only the rows that changed since the last read, by their row
 * version (`xmin`), instead of every agent every second. A row committed after a snapshot was written by a
 * transaction that was still running then or began later, so its xmin is at or after that snapshot's
 * oldest running transaction (`pg_snapshot_xmin`); comparing by `age()` keeps that right across the 32-bit
 * wraparound. Rows read twice are filtered by the poller's fingerprints.
 */
@Injectable()
export class AgentStatusChangesQuery {
  constructor(private readonly db: DataSource) {}

  /**
   * Each node's liveness as the status view judges it: `alive`, or when its heartbeat stopped (an online
   * agent on such a node is shown `disconnected`, and last seen at that heartbeat).
   */
  async nodeLiveness(): Promise<Map<string, string>> {
    const rows = (await this.db.query(
      `SELECT id, CASE WHEN ${nodeAlive('n')} THEN 'alive' ELSE 'stopped ' || heartbeat_at::text END AS liveness
         FROM central_nodes n`,
    )) as Array<{ id: string; liveness: string }>;
    return new Map(rows.map((r) => [r.id, r.liveness]));
  }

  /** Agents changed since `since` (every agent when undefined) and the online agents of `nodes`. */
  async changes(since: string | undefined, nodes: string[]): Promise<AgentStatusChanges> {
    const rows = (await this.db.query(
      `WITH s AS (SELECT (pg_snapshot_xmin(pg_current_snapshot())::text::numeric % 4294967296)::text AS since,
                         (SELECT count(*)::int FROM agents) AS total)
       SELECT s.since AS snapshot_since, s.total AS snapshot_total, v.*
         FROM s LEFT JOIN (
           ${AGENT_STATUS_VIEW}
            WHERE $1::text IS NULL OR age(a.xmin) <= age($1::text::xid)
               OR (a.connection_status = 'online' AND a.node_id = ANY($2::text[]))
         ) v ON true
        ORDER BY v.id`,
      [since ?? null, nodes],
    )) as Array<Record<string, unknown>>;
    const first = rows[0]!;
    return {
      since: first.snapshot_since as string,
      total: first.snapshot_total as number,
      rows: rows.filter((r) => r.id !== null).map(agentViewOf),
    };
  }

  /** Every registered agent's id (after a deletion: which ones are gone). */
  async ids(): Promise<Set<string>> {
    const rows = (await this.db.query('SELECT id FROM agents')) as Array<{ id: string }>;
    return new Set(rows.map((r) => r.id));
  }
}
