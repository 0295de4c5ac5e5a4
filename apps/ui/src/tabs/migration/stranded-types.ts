import {
  STRAND_REASONS as REASONS,
  type StrandReasonCode as ReasonCode,
} from '../../../../../libs/api/migration-phases.js';
import type {
  StrandedCounts,
  StrandedFilter,
  StrandedPage,
  StrandedRow,
} from '../../../../../libs/api/migration.js';

// The shapes of GET /api/migration/stranded and POST /api/migration/exemptions/bulk (ADR 40) are the wire
// types; the reasons in words are the screen's.
export {
  REASONS,
  type ReasonCode,
  type StrandedCounts,
  type StrandedFilter,
  type StrandedPage,
  type StrandedRow,
};

export const REASON_WORDS: Record<ReasonCode, string> = {
  offline: 'offline',
  plain: 'still on plain',
  cannot_wss: 'cannot do wss',
  failed_apply: 'profile failed to apply',
  never_connected: 'never connected',
};

/** "1,800 offline · 200 still on plain", biggest first. */
export function countsInWords(counts: StrandedCounts): string {
  return REASONS.filter((r) => counts.byReason[r] > 0)
    .sort((a, b) => counts.byReason[b] - counts.byReason[a])
    .map((r) => `${counts.byReason[r].toLocaleString('en-US')} ${REASON_WORDS[r]}`)
    .join(' · ');
}
