import { Injectable } from '@nestjs/common';
import { DataSource } from 'typeorm';

export type BundleState = 'requested' | 'received' | 'failed';

/** One diagnostics request of one agent, as the API lists it (never with its content). */
export interface DiagnosticBundleView {
  id: string;
  agentId: string;
  state: BundleState;
  reason: string | null;
  requestedBy: string;
  requestedAt: Date;
  deadlineAt: Date;
  receivedAt: Date | null;
  maxBytes: number;
  sizeBytes: number | null;
  sha256: string | null;
}

/** What a request needs to know of each agent asked: does it exist, is it online, can it send bundles. */
export interface AgentFacts {
  id: string;
  status: string;
  capabilities: string[];
  revoked: boolean;
  /** A request of this agent still waiting for its bundle, if there is one. */
  waitingRequestId: string | null;
}

/** Bundles kept per agent, and for how long (ADR 44). */
export const KEEP_PER_AGENT = 5;
export const KEEP_DAYS = 7;

/** Why a request failed when its deadline passed without a bundle. */
const OVERDUE_REASON = `'no bundle within ' || round(extract(epoch FROM deadline_at - requested_at)) || ' s (the agent went offline or did not answer)'`;
const OVERDUE = `state = 'requested' AND deadline_at <= now()`;

/** A request past its deadline reads `failed` even before the sweep marked it (every node sweeps every 2 s). */
const COLUMNS = `id, agent_id, CASE WHEN ${OVERDUE} THEN 'failed' ELSE state END AS state,
  CASE WHEN ${OVERDUE} THEN ${OVERDUE_REASON} ELSE reason END AS reason,
  requested_by, requested_at, deadline_at, received_at, max_bytes, size_bytes, sha256`;

/** The `diagnostic_bundles` table. */
@Injectable()
export class DiagnosticsRepository {
  constructor(private readonly db: DataSource) {}

  /** The requests of these agents still waiting for their bundle, by agent id (one each at most). */
  async waitingRequests(agentIds: string[]): Promise<Map<string, string>> {
    if (agentIds.length === 0) return new Map();
    const rows = (await this.db.query(
      `SELECT DISTINCT ON (agent_id) agent_id, id FROM diagnostic_bundles
        WHERE agent_id = ANY($1::text[]) AND state = 'requested' AND deadline_at > now()`,
      [agentIds],
    )) as Array<{ agent_id: string; id: string }>;
    return new Map(rows.map((r) => [r.agent_id, r.id]));
  }

  async insertRequested(
    rows: Array<{ id: string; agentId: string }>,
    requestedBy: string,
    maxBytes: number,
    timeoutSeconds: number,
  ): Promise<DiagnosticBundleView[]> {
    const inserted = (await this.db.query(
      `INSERT INTO diagnostic_bundles (id, agent_id, state, requested_by, deadline_at, max_bytes)
       SELECT x.id, x.agent_id, 'requested', $3, now() + make_interval(secs => $4), $5
         FROM unnest($1::uuid[], $2::text[]) AS x(id, agent_id)
       RETURNING ${COLUMNS}`,
      [rows.map((r) => r.id), rows.map((r) => r.agentId), requestedBy, timeoutSeconds, maxBytes],
    )) as Row[];
    return inserted.map(toView);
  }

  async list(filter: { agentId?: string; limit: number }): Promise<DiagnosticBundleView[]> {
    const rows = (await this.db.query(
      `SELECT ${COLUMNS} FROM diagnostic_bundles WHERE ($1::text IS NULL OR agent_id = $1)
        ORDER BY requested_at DESC, id LIMIT $2`,
      [filter.agentId ?? null, filter.limit],
    )) as Row[];
    return rows.map(toView);
  }

  async find(id: string): Promise<DiagnosticBundleView | undefined> {
    const rows = (await this.db.query(`SELECT ${COLUMNS} FROM diagnostic_bundles WHERE id = $1`, [
      id,
    ])) as Row[];
    return rows[0] ? toView(rows[0]) : undefined;
  }

  async content(id: string): Promise<Buffer | undefined> {
    const rows = (await this.db.query(
      `SELECT content FROM diagnostic_bundles WHERE id = $1 AND state = 'received'`,
      [id],
    )) as Array<{ content: Buffer }>;
    return rows[0]?.content;
  }

  /** A request still waiting for this agent's bundle (the agent must be the one it was sent to). */
  async findWaiting(id: string): Promise<{ agentId: string; maxBytes: number } | undefined> {
    const rows = (await this.db.query(
      `SELECT agent_id, max_bytes FROM diagnostic_bundles WHERE id = $1 AND state = 'requested' AND deadline_at > now()`,
      [id],
    )) as Array<{ agent_id: string; max_bytes: number }>;
    return rows[0] ? { agentId: rows[0].agent_id, maxBytes: rows[0].max_bytes } : undefined;
  }

  /** Stores the bundle if the request is still waiting for this agent; false if it no longer is. */
  async markReceived(
    id: string,
    agentId: string,
    bundle: { content: Buffer; sha256: string },
  ): Promise<boolean> {
    const rows = updated(
      await this.db.query(
        `UPDATE diagnostic_bundles SET state = 'received', received_at = now(), content = $3, size_bytes = $4, sha256 = $5
          WHERE id = $1 AND agent_id = $2 AND state = 'requested' AND deadline_at > now() RETURNING id`,
        [id, agentId, bundle.content, bundle.content.length, bundle.sha256],
      ),
    );
    return rows.length === 1;
  }

  /** Marks a waiting request failed; false if it was not waiting (received, failed or timed out already). */
  async markFailed(id: string, agentId: string, reason: string): Promise<boolean> {
    const rows = updated(
      await this.db.query(
        `UPDATE diagnostic_bundles SET state = 'failed', reason = $3
          WHERE id = $1 AND agent_id = $2 AND state = 'requested' RETURNING id`,
        [id, agentId, reason.slice(0, 1024)],
      ),
    );
    return rows.length === 1;
  }

  /** Requests past their deadline become `failed` with the reason; returns them (to audit and forget). */
  async failOverdue(): Promise<Array<{ id: string; agentId: string; reason: string }>> {
    const rows = updated<{ id: string; agent_id: string; reason: string }>(
      await this.db.query(
        `UPDATE diagnostic_bundles SET state = 'failed', reason = ${OVERDUE_REASON}
          WHERE ${OVERDUE} RETURNING id, agent_id, reason`,
      ),
    );
    return rows.map((r) => ({ id: r.id, agentId: r.agent_id, reason: r.reason }));
  }

  /** Retention: the newest KEEP_PER_AGENT rows per agent, none older than KEEP_DAYS (waiting ones stay). */
  async prune(agentId?: string): Promise<number> {
    const rows = updated(
      await this.db.query(
        `DELETE FROM diagnostic_bundles d WHERE d.state <> 'requested' AND (
          d.requested_at < now() - make_interval(days => $2)
          OR d.id IN (SELECT id FROM (
                SELECT id, row_number() OVER (PARTITION BY agent_id ORDER BY requested_at DESC, id) AS n
                  FROM diagnostic_bundles WHERE ($1::text IS NULL OR agent_id = $1)) ranked
              WHERE ranked.n > $3))
       RETURNING d.id`,
        [agentId ?? null, KEEP_DAYS, KEEP_PER_AGENT],
      ),
    );
    return rows.length;
  }
}

/** TypeORM answers an UPDATE or DELETE on PostgreSQL with `[rows, rowCount]`, not the rows alone. */
function updated<T = unknown>(result: unknown): T[] {
  return (result as [T[], number])[0];
}

interface Row {
  id: string;
  agent_id: string;
  state: BundleState;
  reason: string | null;
  requested_by: string;
  requested_at: Date;
  deadline_at: Date;
  received_at: Date | null;
  max_bytes: number;
  size_bytes: number | null;
  sha256: string | null;
}

function toView(r: Row): DiagnosticBundleView {
  return {
    id: r.id,
    agentId: r.agent_id,
    state: r.state,
    reason: r.reason,
    requestedBy: r.requested_by,
    requestedAt: r.requested_at,
    deadlineAt: r.deadline_at,
    receivedAt: r.received_at,
    maxBytes: r.max_bytes,
    sizeBytes: r.size_bytes,
    sha256: r.sha256,
  };
}
