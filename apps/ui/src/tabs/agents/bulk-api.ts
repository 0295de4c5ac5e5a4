import type {
  AgentFilterInput as BulkFilter,
  BulkActionName,
  BulkResult,
} from '../../../../../libs/api/agent-bulk.js';
import { api } from '../../api/client.js';

export type { BulkActionName, BulkFilter, BulkResult };

/** Which agents a bulk action means: those ticked, or every agent the filters match (docs: ADR 40). */
export type BulkSelection = { ids: string[] } | { filter: BulkFilter };

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
