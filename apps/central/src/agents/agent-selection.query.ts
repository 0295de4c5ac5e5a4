import { AGENT_STATUS_VIEW } from './agent-status.query.js';
import { type AgentFilter, type AgentSelection } from './agent-filter.js';

/*
 * A REPORT (ADR 47): which agents the Agents tab's filters and the bulk actions (ADR 40) mean, matched in
 * the database whatever the fleet's size. Reads: agents (its own folder's), central_nodes (node liveness;
 * cluster) and agent_desired_profiles (the "profile" filter: the profile an agent should run; rollouts).
 * Writes nothing.
 */

/** What runs one statement: the data source, or a bulk action's transaction. */
export interface Queryable {
  query(sql: string, params?: unknown[]): Promise<unknown>;
}

/** What a bulk action needs to know of each agent it matched, to say why it left one alone. */
export interface MatchedAgent {
  id: string;
  status: string;
  revoked: boolean;
  adminGroups: string[];
}

/**
 * SQL conditions over `AGENT_STATUS_VIEW` (alias `v`) for a filter, with its parameters numbered from
 * `first`.
 */
export function filterSql(filter: AgentFilter, first = 1): { where: string; params: unknown[] } {
  const params: unknown[] = [];
  const p = (value: unknown) => {
    params.push(value);
    return `$${first + params.length - 1}`;
  };
  const where: string[] = [filter.revoked ? 'v.revoked_at IS NOT NULL' : 'v.revoked_at IS NULL'];
  if (filter.status) where.push(`v.status = ${p(filter.status)}`);
  if (filter.transport) where.push(`v.transport = ${p(filter.transport)}`);
  if (filter.group) {
    const g = p(filter.group);
    where.push(`(${g} = ANY(v.groups) OR ${g} = ANY(v.reported_groups))`);
  }
  if (filter.version) where.push(`v.agent_version = ${p(filter.version)}`);
  if (filter.profile)
    where.push(
      `EXISTS (SELECT 1 FROM agent_desired_profiles d WHERE d.agent_id = v.id AND d.profile_name = ${p(filter.profile)})`,
    );
  if (filter.lastSeenOlderThanDays !== undefined)
    where.push(
      `v.status <> 'online' AND coalesce(v.last_seen_at, v.enrolled_at) < now() - make_interval(secs => ${p(
        filter.lastSeenOlderThanDays * 86_400,
      )})`,
    );
  return { where: where.join(' AND '), params };
}

/** The agents a selection names (unknown ids are left out) or a filter matches, at most `limit`, by id. */
export async function matchAgents(
  q: Queryable,
  selection: AgentSelection,
  limit: number,
): Promise<MatchedAgent[]> {
  const { where, params } =
    'ids' in selection
      ? { where: 'v.id = ANY($1::text[])', params: [selection.ids] as unknown[] }
      : filterSql(selection.filter as AgentFilter);
  const rows = (await q.query(
    `SELECT v.id, v.status, v.revoked_at IS NOT NULL AS revoked, v.groups FROM (${AGENT_STATUS_VIEW}) v
      WHERE ${where} ORDER BY v.id LIMIT ${Number(limit)}`,
    params,
  )) as Array<{ id: string; status: string; revoked: boolean; groups: string[] }>;
  return rows.map((r) => ({ id: r.id, status: r.status, revoked: r.revoked, adminGroups: r.groups }));
}
