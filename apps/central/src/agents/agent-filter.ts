import { type AgentFilter } from '../../../../libs/api/agent-bulk.js';

// The bulk request schemas live in libs/api (the wire types, ADR 48); their SQL and words live here.
export { BULK_MAX_AGENTS, type AgentFilter } from '../../../../libs/api/agent-bulk.js';

/** Either the agents named, or every agent a filter matches. */
export type AgentSelection = { ids: string[] } | { filter: AgentFilter };

export function selectionOf(body: { ids?: string[]; filter?: AgentFilter }): AgentSelection {
  return body.ids ? { ids: body.ids } : { filter: body.filter! };
}

/** The filter in words, for audit records and answers ("status offline, last seen over 30 days ago"). */
export function describeFilter(filter: AgentFilter): string {
  const parts: string[] = [];
  if (filter.status) parts.push(`status ${filter.status}`);
  if (filter.transport) parts.push(`transport ${filter.transport}`);
  if (filter.group) parts.push(`group ${filter.group}`);
  if (filter.version) parts.push(`version ${filter.version}`);
  if (filter.profile) parts.push(`profile ${filter.profile}`);
  if (filter.lastSeenOlderThanDays !== undefined)
    parts.push(`last seen over ${filter.lastSeenOlderThanDays} days ago`);
  if (filter.revoked) parts.push('revoked');
  return parts.length > 0 ? parts.join(', ') : 'every active agent';
}
