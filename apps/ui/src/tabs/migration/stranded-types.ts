import { type StrandedAgent } from '../../api/migration-types.js';

/** Shapes of GET /api/migration/stranded and POST /api/migration/exemptions/bulk (ADR 40). */
export const REASONS = ['offline', 'plain', 'cannot_wss', 'failed_apply', 'never_connected'] as const;
export type ReasonCode = (typeof REASONS)[number];

export const REASON_WORDS: Record<ReasonCode, string> = {
  offline: 'offline',
  plain: 'still on plain',
  cannot_wss: 'cannot do wss',
  failed_apply: 'profile failed to apply',
  never_connected: 'never connected',
};

export interface StrandedCounts {
  total: number;
  byReason: Record<ReasonCode, number>;
}

export interface StrandedRow extends StrandedAgent {
  status: string;
  transport: string | null;
  lastSeenAt: string | null;
  groups: string[];
}

export interface StrandedPage {
  counts: StrandedCounts;
  matched: number;
  offset: number;
  limit: number;
  agents: StrandedRow[];
}

export interface StrandedFilter {
  reason?: ReasonCode;
  group?: string;
  lastSeenOlderThanDays?: number;
  search?: string;
}

/** "1,800 offline · 200 still on plain", biggest first. */
export function countsInWords(counts: StrandedCounts): string {
  return REASONS.filter((r) => counts.byReason[r] > 0)
    .sort((a, b) => counts.byReason[b] - counts.byReason[a])
    .map((r) => `${counts.byReason[r].toLocaleString('en-US')} ${REASON_WORDS[r]}`)
    .join(' · ');
}
