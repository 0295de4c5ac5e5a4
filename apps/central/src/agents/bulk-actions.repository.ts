import { Injectable } from '@nestjs/common';
import { DataSource, type QueryRunner } from 'typeorm';
import { type AgentSelection } from './agent-filter.js';
import { matchAgents, type MatchedAgent, type Queryable } from './agent-selection.query.js';

export { type MatchedAgent, type Queryable };

/** UPDATE/DELETE answer `[rows, count]` through TypeORM, SELECT/INSERT answer the rows. */
function rowsOf<T>(result: unknown): T[] {
  const r = result as unknown[];
  if (r.length === 2 && Array.isArray(r[0]) && typeof r[1] === 'number') return r[0] as T[];
  return r as T[];
}

const ids = (result: unknown, key = 'id') => rowsOf<Record<string, string>>(result).map((r) => r[key]!);

/**
 * The SQL of bulk actions on the agents table (ADR 40): each runs on one transaction's connection, so an
 * action changes all it matched or nothing. Exemptions and rollout entries are written by their owners
 * on the same transaction, through the ports of bulk-action.ports.ts (ADR 47).
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
  match(q: Queryable, selection: AgentSelection, limit: number): Promise<MatchedAgent[]> {
    return matchAgents(q, selection, limit);
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
}
