import { STRAND_REASONS, type StrandedFilter } from '../../../../libs/api/migration.js';
import { type AgentGateFacts } from './agent-gate-facts.js';
import { type StrandedAgent, type StrandReasonCode } from './secure-only-gate.js';

// The reasons and the table's filter are part of the wire types (libs/api).
export { STRAND_REASONS, type StrandedFilter } from '../../../../libs/api/migration.js';

/** The reasons in the operator's words, for counts and messages. */
export const STRAND_REASON_WORDS: Record<StrandReasonCode, string> = {
  offline: 'offline',
  plain: 'still on plain',
  cannot_wss: 'cannot do wss',
  failed_apply: 'profile failed to apply',
  never_connected: 'never connected',
};

/** One row of the stranded table: the gate's verdict with what an operator filters and sorts on. */
export interface StrandedRow extends StrandedAgent {
  status: AgentGateFacts['status'];
  transport: string | null;
  lastSeenAt: Date | null;
  enrolledAt: Date | null;
  groups: string[];
}

export interface StrandedCounts {
  total: number;
  /** Agents per reason (an agent with two reasons counts under both). */
  byReason: Record<StrandReasonCode, number>;
}

export function strandedCounts(stranded: StrandedAgent[]): StrandedCounts {
  const byReason = Object.fromEntries(STRAND_REASONS.map((r) => [r, 0])) as Record<StrandReasonCode, number>;
  for (const s of stranded) for (const code of new Set(s.reasons.map((r) => r.code))) byReason[code]++;
  return { total: stranded.length, byReason };
}

/** Stranded agents a message names before it says "and N more": the rest is in the paged table. */
const NAMED_IN_MESSAGES = 10;

/** "a, b, c" or "a, b, … and 1990 more". */
export function someIds(ids: string[]): string {
  const named = ids.slice(0, NAMED_IN_MESSAGES).join(', ');
  return ids.length > NAMED_IN_MESSAGES ? `${named} … and ${ids.length - NAMED_IN_MESSAGES} more` : named;
}

/** "1800 offline, 200 still on plain": the counts in words, biggest first. */
export function describeCounts(counts: StrandedCounts): string {
  return STRAND_REASONS.filter((r) => counts.byReason[r] > 0)
    .sort((a, b) => counts.byReason[b] - counts.byReason[a])
    .map((r) => `${counts.byReason[r]} ${STRAND_REASON_WORDS[r]}`)
    .join(', ');
}

/** The filter in words, for the audit log and answers. */
export function describeStrandedFilter(filter: StrandedFilter): string {
  const parts = ['stranded'];
  if (filter.reason) parts.push(`because ${STRAND_REASON_WORDS[filter.reason]}`);
  if (filter.group) parts.push(`in group ${filter.group}`);
  if (filter.lastSeenOlderThanDays !== undefined)
    parts.push(`not seen for over ${filter.lastSeenOlderThanDays} days`);
  if (filter.search) parts.push(`with "${filter.search}" in the id`);
  return parts.join(' ');
}

export function strandedRows(stranded: StrandedAgent[], facts: AgentGateFacts[]): StrandedRow[] {
  const byId = new Map(facts.map((f) => [f.id, f]));
  return stranded.map((s) => {
    const f = byId.get(s.agentId);
    return {
      ...s,
      status: f?.status ?? 'never_connected',
      transport: f?.transport ?? null,
      lastSeenAt: f?.lastSeenAt ?? f?.history?.lastConnectedAt ?? null,
      enrolledAt: f?.enrolledAt ?? null,
      groups: f?.groups ?? [],
    };
  });
}

/** Rows matching every criterion given; `now` is the database's clock (as the gate's). */
export function filterStranded(rows: StrandedRow[], filter: StrandedFilter, now: Date): StrandedRow[] {
  const before =
    filter.lastSeenOlderThanDays === undefined
      ? undefined
      : now.getTime() - filter.lastSeenOlderThanDays * 86_400_000;
  const search = filter.search?.trim().toLowerCase();
  return rows.filter(
    (r) =>
      (!filter.reason || r.reasons.some((x) => x.code === filter.reason)) &&
      (!filter.group || r.groups.includes(filter.group)) &&
      (before === undefined ||
        (r.status !== 'online' && (r.lastSeenAt ?? r.enrolledAt ?? new Date(0)).getTime() < before)) &&
      (!search || r.agentId.toLowerCase().includes(search)),
  );
}
