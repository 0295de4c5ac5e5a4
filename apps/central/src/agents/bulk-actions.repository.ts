import { Injectable } from '@nestjs/common';
import { DataSource, type QueryRunner } from 'typeorm';
import { filterSql, type AgentFilter, type AgentSelection } from './agent-filter.js';
import { AGENT_STATUS_VIEW } from './agents.repository.js';

/** What a bulk action needs to know of each agent it matched, to say why it left one alone. */
export interface MatchedAgent {
  id: string;
  status: string;
  revoked: boolean;
  adminGroups: string[];
}

export interface Queryable {
  query(sql: string, params?: unknown[]): Promise<unknown>;
}

/** The rollout states from which failed agents may be retried (as `POST /api/rollouts/:id/retry-failed`). */
export const RETRY_FROM = ['running', 'paused', 'awaiting_approval', 'halted', 'completed'];

/** UPDATE/DELETE answer `[rows, count]` through TypeORM, SELECT/INSERT answer the rows. */
function rowsOf<T>(result: unknown): T[] {
  const r = result as unknown[];
  if (r.length === 2 && Array.isArray(r[0]) && typeof r[1] === 'number') return r[0] as T[];
  return r as T[];
}

const ids = (result: unknown, key = 'id') => rowsOf<Record<string, string>>(result).map((r) => r[key]!);

/**
 * The SQL of bulk actions (ADR 40): each runs on one transaction's connection, so an action changes all
 * it matched or nothing. Exemptions and rollout entries are written here by SQL only: the agents folder
 * must not import migration or rollouts code (folder-direction.spec.ts), and the rows are the contract.
 */
@Injectable()
export class BulkActionsRepository {
  constructor(private readonly db: DataSource) {}

  /** Runs `work` in one transaction; `keep: false` rolls it back (a dry run counts without changing). */
  async inTransaction<T>(keep: (result: T) => boolean, work: (q: QueryRunner) => Promise<T>): Promise<T> {
    const runner = this.db.createQueryRunner();
    await runner.connect();
    await runner.startTransaction();
    try {
      const result = await work(runner);
      if (keep(result)) await runner.commitTransaction();
      else await runner.rollbackTransaction();
      return result;
    } catch (error) {
      await runner.rollbackTransaction().catch(() => undefined);
      throw error;
    } finally {
      await runner.release();
    }
  }

  /** The agents a selection names (unknown ids are left out) or a filter matches, at most `limit`. */
  async match(q: Queryable, selection: AgentSelection, limit: number): Promise<MatchedAgent[]> {
    const { where, params } =
      'ids' in selection
        ? { where: 'v.id = ANY($1::text[])', params: [selection.ids] as unknown[] }
        : filterSql(selection.filter as AgentFilter);
    const rows = rowsOf<Record<string, unknown>>(
      await q.query(
        `SELECT v.id, v.status, v.revoked_at IS NOT NULL AS revoked, v.groups FROM (${AGENT_STATUS_VIEW}) v
          WHERE ${where} ORDER BY v.id LIMIT ${Number(limit)}`,
        params,
      ),
    );
    return rows.map((r) => ({
      id: r.id as string,
      status: r.status as string,
      revoked: r.revoked as boolean,
      adminGroups: r.groups as string[],
    }));
  }

  async exempt(
    q: Queryable,
    agentIds: string[],
    e: { reason: string; expiresAt: Date; createdBy: string },
  ): Promise<string[]> {
    return ids(
      await q.query(
        `INSERT INTO migration_exemptions (agent_id, reason, expires_at, created_by)
         SELECT id, $2, $3, $4 FROM unnest($1::text[]) AS id
         ON CONFLICT (agent_id) DO UPDATE SET reason = EXCLUDED.reason, expires_at = EXCLUDED.expires_at,
           created_by = EXCLUDED.created_by, created_at = now()
         RETURNING agent_id`,
        [agentIds, e.reason, e.expiresAt, e.createdBy],
      ),
      'agent_id',
    );
  }

  async unexempt(q: Queryable, agentIds: string[]): Promise<string[]> {
    return ids(
      await q.query('DELETE FROM migration_exemptions WHERE agent_id = ANY($1::text[]) RETURNING agent_id', [
        agentIds,
      ]),
      'agent_id',
    );
  }

  /** As the single revoke: the credential goes, the row stays (revoked) for history. */
  async revoke(q: Queryable, agentIds: string[]): Promise<string[]> {
    return ids(
      await q.query(
        `UPDATE agents SET revoked_at = now(), credential_hash = NULL
          WHERE id = ANY($1::text[]) AND revoked_at IS NULL RETURNING id`,
        [agentIds],
      ),
    );
  }

  /** Removes the rows; their history, exemptions, certificates and rollout entries go with them (cascade). */
  async delete(q: Queryable, agentIds: string[]): Promise<string[]> {
    return ids(await q.query('DELETE FROM agents WHERE id = ANY($1::text[]) RETURNING id', [agentIds]));
  }

  /** Replaces, adds to or removes from the admin groups; rows that would not change are not written. */
  async groups(
    q: Queryable,
    agentIds: string[],
    mode: 'set' | 'add' | 'remove',
    groups: string[],
    maxGroups: number,
  ): Promise<string[]> {
    const next = {
      set: '$2::text[]',
      add: 'ARRAY(SELECT DISTINCT g FROM unnest(a2.groups || $2::text[]) g ORDER BY g)',
      remove: 'ARRAY(SELECT g FROM unnest(a2.groups) g WHERE g <> ALL($2::text[]) ORDER BY g)',
    }[mode];
    return ids(
      await q.query(
        `UPDATE agents a SET groups = n.groups
           FROM (SELECT a2.id, ${next} AS groups
                   FROM agents a2 WHERE a2.id = ANY($1::text[])) n
          WHERE a.id = n.id AND a.groups IS DISTINCT FROM n.groups AND cardinality(n.groups) <= $3
          RETURNING a.id`,
        [agentIds, groups, maxGroups],
      ),
    );
  }

  async rolloutState(q: Queryable, rolloutId: string): Promise<string | undefined> {
    const [row] = rowsOf<{ state: string }>(
      await q.query('SELECT state FROM rollouts WHERE id = $1 FOR UPDATE', [rolloutId]),
    );
    return row?.state;
  }

  /** Each agent's state in the rollout (absent: not targeted by it). */
  async rolloutEntries(q: Queryable, rolloutId: string, agentIds: string[]): Promise<Map<string, string>> {
    const rows = rowsOf<{ agent_id: string; state: string }>(
      await q.query(
        'SELECT agent_id, state FROM rollout_agents WHERE rollout_id = $1 AND agent_id = ANY($2::text[])',
        [rolloutId, agentIds],
      ),
    );
    return new Map(rows.map((r) => [r.agent_id, r.state]));
  }

  /**
   * Failed and stale entries of these agents start over with a new attempt, as RolloutsRepository.retryFailed
   * does for a whole rollout; a rollout the error threshold halted goes on.
   */
  async retry(q: Queryable, rolloutId: string, agentIds: string[]): Promise<string[]> {
    const retried = ids(
      await q.query(
        `UPDATE rollout_agents SET state = 'pending', reason = NULL, attempts = attempts + 1, state_changed_at = now(),
                sent_step = NULL, sent_at = NULL, sent_session = NULL
          WHERE rollout_id = $1 AND agent_id = ANY($2::text[]) AND state IN ('failed', 'stale')
          RETURNING agent_id`,
        [rolloutId, agentIds],
      ),
      'agent_id',
    );
    if (retried.length > 0)
      await q.query(
        `UPDATE rollouts SET state = 'running', state_reason = NULL, updated_at = now(), finished_at = NULL
          WHERE id = $1 AND state = 'halted'`,
        [rolloutId],
      );
    return retried;
  }
}
