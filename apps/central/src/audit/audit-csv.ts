import { type AuditEntry } from './audit.repository.js';

const COLUMNS = ['at', 'actor', 'address', 'summary', 'action', 'target', 'outcome', 'details'] as const;

/** One CSV field (RFC 4180), with a leading quote against spreadsheet formula injection. */
function field(value: string): string {
  const safe = /^[=+\-@\t\r]/.test(value) ? `'${value}` : value;
  return /[",\r\n]/.test(safe) ? `"${safe.replace(/"/g, '""')}"` : safe;
}

/** The audit entries as CSV, header first, times in UTC ISO 8601. */
export function auditCsv(entries: Array<AuditEntry & { summary: string }>): string {
  const lines = [COLUMNS.join(',')];
  for (const e of entries) {
    lines.push(
      [
        new Date(e.at).toISOString(),
        e.actor,
        e.address ?? '',
        e.summary,
        e.action,
        e.target ?? '',
        e.outcome,
        Object.keys(e.details).length > 0 ? JSON.stringify(e.details) : '',
      ]
        .map(field)
        .join(','),
    );
  }
  return `${lines.join('\r\n')}\r\n`;
}
