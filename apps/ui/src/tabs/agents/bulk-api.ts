import { api } from '../../api/client.js';
import { type AgentStatus, type Transport } from '../../api/types.js';

/** Which agents a bulk action means: those ticked, or every agent the filters match (docs: ADR 40). */
export interface BulkFilter {
  status?: AgentStatus;
  transport?: Transport;
  group?: string;
  version?: string;
  lastSeenOlderThanDays?: number;
  revoked?: boolean;
}

export type BulkSelection = { ids: string[] } | { filter: BulkFilter };

export type BulkActionName = 'exempt' | 'unexempt' | 'revoke' | 'delete' | 'groups' | 'retry';

/** What central answered: how many it matched, changed, and why it left the others alone. */
export interface BulkResult {
  action: BulkActionName;
  dryRun: boolean;
  selection: string;
  matched: number;
  changed: number;
  skipped: Array<{ reason: string; count: number; agentIds: string[] }>;
}

export function runBulk(
  action: BulkActionName,
  selection: BulkSelection,
  fields: Record<string, unknown>,
  dryRun: boolean,
): Promise<BulkResult> {
  return api<BulkResult>('POST', `/api/agents/bulk/${action}`, { ...selection, ...fields, dryRun });
}

/** "1,000" — counts of thousands are read at a glance. */
export function count(n: number): string {
  return n.toLocaleString('en-US');
}

/** "990 changed; skipped: 8 already revoked, 2 no such agent". */
export function describeResult(r: BulkResult, verb: string): string {
  const skipped = r.skipped.map((s) => `${count(s.count)} ${s.reason}`).join(', ');
  return `${verb} ${count(r.changed)} of ${count(r.matched)} agents.${skipped ? ` Skipped: ${skipped}.` : ''}`;
}
