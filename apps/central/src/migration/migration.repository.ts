import { type DataSource } from 'typeorm';
import { type Phase } from './migration-phase.js';

/** What runs one statement: the data source, or a transaction's connection. */
export interface Queryable {
  query(sql: string, params?: unknown[]): Promise<unknown>;
}

export interface MigrationState {
  phase: Phase;
  pending: { rolloutId: string; profile: string | null; revision: number | null; since: Date } | null;
  changedAt: Date;
  changedBy: string;
}

export type TransitionKind =
  'advance' | 'rollback' | 'rollout_started' | 'rollout_accepted' | 'rollout_completed';

export interface Transition {
  id: string;
  at: Date;
  actor: string;
  kind: TransitionKind;
  from: Phase;
  to: Phase;
  reason: string;
  forced: boolean;
  acknowledged: string[];
  /** How many were acknowledged (`acknowledged` may list only the first of them). */
  acknowledgedCount?: number;
  details: Record<string, unknown>;
}

export interface Exemption {
  agentId: string;
  reason: string;
  expiresAt: Date;
  createdAt: Date;
  createdBy: string;
  active: boolean;
}

interface StateRow {
  phase: Phase;
  pending_rollout_id: string | null;
  pending_profile: string | null;
  pending_revision: number | null;
  pending_since: Date | null;
  changed_at: Date;
  changed_by: string;
}

interface TransitionRow {
  id: string | number;
  at: Date;
  actor: string;
  kind: TransitionKind;
  from_phase: Phase;
  to_phase: Phase;
  reason: string;
  forced: boolean;
  acknowledged: string[];
  acknowledged_count: number;
  details: Record<string, unknown>;
}

interface ExemptionRow {
  agent_id: string;
  reason: string;
  expires_at: Date;
  created_at: Date;
  created_by: string;
  active: boolean;
}

/**
 * The migration's tables (ADR 47): migration_state, migration_transitions, migration_exemptions. What the
 * gate reads of other domains is the report in migration-gate.query.ts. A plain class: central and the
 * `migrate` CLI both construct it.
 */
export class MigrationRepository {
  constructor(private readonly db: Pick<DataSource, 'query' | 'transaction'>) {}

  async state(): Promise<MigrationState> {
    const [r] = (await this.db.query(
      `SELECT phase, pending_rollout_id, pending_profile, pending_revision, pending_since, changed_at, changed_by
         FROM migration_state WHERE id = 1`,
    )) as StateRow[];
    if (!r) throw new Error('migration_state is empty: the database migrations did not run');
    return {
      phase: r.phase,
      pending: r.pending_rollout_id
        ? {
            rolloutId: r.pending_rollout_id,
            profile: r.pending_profile,
            revision: r.pending_revision,
            since: r.pending_since!,
          }
        : null,
      changedAt: r.changed_at,
      changedBy: r.changed_by,
    };
  }

  /**
   * Moves from `from` to `to` and records the transition in one transaction; false when someone else
   * moved the phase first (optimistic: the caller re-reads and reports a conflict).
   */
  async transition(
    expected: { phase: Phase; rolloutId: string | null },
    next: { phase: Phase; pending: MigrationState['pending'] },
    t: Omit<Transition, 'id' | 'at'>,
  ): Promise<boolean> {
    return this.db.transaction(async (tx) => {
      const rows = (await tx.query(
        `UPDATE migration_state
            SET phase = $1, pending_rollout_id = $2, pending_profile = $3, pending_revision = $4,
                pending_since = $5, changed_at = now(), changed_by = $6
          WHERE id = 1 AND phase = $7 AND pending_rollout_id IS NOT DISTINCT FROM $8
          RETURNING phase`,
        [
          next.phase,
          next.pending?.rolloutId ?? null,
          next.pending?.profile ?? null,
          next.pending?.revision ?? null,
          next.pending?.since ?? null,
          t.actor,
          expected.phase,
          expected.rolloutId,
        ],
      )) as [unknown[], number];
      if (rows[1] === 0) return false;
      await tx.query(
        `INSERT INTO migration_transitions (actor, kind, from_phase, to_phase, reason, forced, acknowledged, details)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8)`,
        [
          t.actor,
          t.kind,
          t.from,
          t.to,
          t.reason,
          t.forced,
          JSON.stringify(t.acknowledged),
          JSON.stringify(t.details),
        ],
      );
      return true;
    });
  }

  /** The newest steps; `acknowledged` lists at most `listed` ids (`acknowledgedCount` has them all). */
  async history(limit = 50, listed = 100): Promise<Transition[]> {
    const rows = (await this.db.query(
      `SELECT id, at, actor, kind, from_phase, to_phase, reason, forced, details,
              jsonb_array_length(acknowledged) AS acknowledged_count,
              coalesce((SELECT jsonb_agg(x) FROM (SELECT x FROM jsonb_array_elements(acknowledged) x LIMIT $2) l), '[]')
                AS acknowledged
         FROM migration_transitions ORDER BY id DESC LIMIT $1`,
      [limit, listed],
    )) as TransitionRow[];
    return rows.map((r) => ({
      id: String(r.id),
      at: r.at,
      actor: r.actor,
      kind: r.kind,
      from: r.from_phase,
      to: r.to_phase,
      reason: r.reason,
      forced: r.forced,
      acknowledged: r.acknowledged,
      acknowledgedCount: r.acknowledged_count,
      details: r.details,
    }));
  }

  async now(): Promise<Date> {
    const [r] = (await this.db.query('SELECT now() AS now')) as Array<{ now: Date }>;
    return r!.now;
  }

  async upsertExemption(e: { agentId: string; reason: string; expiresAt: Date; createdBy: string }) {
    await this.db.query(
      `INSERT INTO migration_exemptions (agent_id, reason, expires_at, created_by) VALUES ($1, $2, $3, $4)
       ON CONFLICT (agent_id) DO UPDATE SET reason = EXCLUDED.reason, expires_at = EXCLUDED.expires_at,
         created_by = EXCLUDED.created_by, created_at = now()`,
      [e.agentId, e.reason, e.expiresAt, e.createdBy],
    );
  }

  async deleteExemption(agentId: string): Promise<boolean> {
    const rows = (await this.db.query(
      'DELETE FROM migration_exemptions WHERE agent_id = $1 RETURNING agent_id',
      [agentId],
    )) as [unknown[], number];
    return rows[1] > 0;
  }

  /** Every exemption, or one page of them (by agent id). */
  async exemptions(page?: { limit?: number; offset: number }): Promise<Exemption[]> {
    const rows = (await this.db.query(
      `SELECT agent_id, reason, expires_at, created_at, created_by, expires_at > now() AS active
         FROM migration_exemptions ORDER BY agent_id LIMIT $1 OFFSET $2`,
      [page?.limit ?? null, page?.offset ?? 0],
    )) as ExemptionRow[];
    return rows.map((r) => ({
      agentId: r.agent_id,
      reason: r.reason,
      expiresAt: r.expires_at,
      createdAt: r.created_at,
      createdBy: r.created_by,
      active: r.active,
    }));
  }

  async exemptionCount(): Promise<number> {
    const [r] = (await this.db.query('SELECT count(*)::int AS n FROM migration_exemptions')) as Array<{
      n: number;
    }>;
    return r!.n;
  }

  /**
   * Exempts many agents at once, on the caller's transaction (a bulk action, ADR 40); answers the ids
   * written. Agents that do not exist are refused by the foreign key: the caller passes matched ids.
   */
  async exemptMany(
    q: Queryable,
    agentIds: string[],
    e: { reason: string; expiresAt: Date; createdBy: string },
  ): Promise<string[]> {
    const rows = rowsOf<{ agent_id: string }>(
      await q.query(
        `INSERT INTO migration_exemptions (agent_id, reason, expires_at, created_by)
         SELECT id, $2, $3, $4 FROM unnest($1::text[]) AS id
         ON CONFLICT (agent_id) DO UPDATE SET reason = EXCLUDED.reason, expires_at = EXCLUDED.expires_at,
           created_by = EXCLUDED.created_by, created_at = now()
         RETURNING agent_id`,
        [agentIds, e.reason, e.expiresAt, e.createdBy],
      ),
    );
    return rows.map((r) => r.agent_id);
  }

  /** Removes the exemptions of many agents on the caller's transaction; answers the ids that had one. */
  async unexemptMany(q: Queryable, agentIds: string[]): Promise<string[]> {
    const rows = rowsOf<{ agent_id: string }>(
      await q.query('DELETE FROM migration_exemptions WHERE agent_id = ANY($1::text[]) RETURNING agent_id', [
        agentIds,
      ]),
    );
    return rows.map((r) => r.agent_id);
  }
}

/** UPDATE/DELETE answer `[rows, count]` through TypeORM, SELECT/INSERT answer the rows. */
function rowsOf<T>(result: unknown): T[] {
  const r = result as unknown[];
  if (r.length === 2 && Array.isArray(r[0]) && typeof r[1] === 'number') return r[0] as T[];
  return r as T[];
}
