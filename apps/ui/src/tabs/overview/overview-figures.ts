import type { AgentStatus } from '../../../../../libs/api/agents.js';
import type { MigrationPhase } from '../../../../../libs/api/migration-phases.js';
import type { FleetOverview } from '../../../../../libs/api/overview.js';
import { type Bar } from './bar-list.js';

const STATUS_BARS: Array<{ status: AgentStatus; label: string; tone: Bar['tone'] }> = [
  { status: 'online', label: 'Online', tone: 'ok' },
  { status: 'disconnected', label: 'Disconnected', tone: 'bad' },
  { status: 'offline', label: 'Offline', tone: 'warn' },
  { status: 'never_connected', label: 'Never connected', tone: 'idle' },
];

/** The fleet by connection status, in a fixed order (a status with no agent still shows 0). */
export function statusBars(byStatus: Partial<Record<AgentStatus, number>>): Bar[] {
  return STATUS_BARS.map((s): Bar => ({
    key: s.status,
    label: s.label,
    value: byStatus[s.status] ?? 0,
    tone: s.tone,
  }));
}

const TRANSPORT_WORDS: Record<string, string> = {
  plain: 'Plain (ws)',
  secure: 'Secure (wss)',
  'secure+mtls': 'Secure with client certificate',
  none: 'Never connected',
};

/** Transports, largest first; plain in amber (the migration is about leaving it). */
export function transportBars(counts: Record<string, number>): Bar[] {
  return Object.entries(counts)
    .sort(([a, x], [b, y]) => y - x || a.localeCompare(b))
    .map(([key, value]): Bar => {
      const base = key.replace(/ \(via connector\)$/, '');
      const via = key !== base ? ' via a connector' : '';
      return {
        key,
        label: `${TRANSPORT_WORDS[base] ?? base}${via}`,
        value,
        tone: base === 'plain' ? 'warn' : base === 'none' ? 'idle' : 'ok',
      };
    });
}

export const PHASE_WORDS: Record<MigrationPhase, string> = {
  plain_only: 'Plain only',
  dual: 'Plain and secure',
  secure_published: 'Secure profile published',
  secure_only: 'Secure only',
};

export interface CertificateFigure {
  tone: 'ok' | 'warn' | 'bad';
  headline: string;
  detail: string;
}

/**
 * The certificate's days left, judged by its own lifetime (ADR 39): a 90-day certificate is fine at 89
 * days, amber only from the day its warnings start, red when expired or within the last week.
 */
export function certificateFigure(c: NonNullable<FleetOverview['certificate']>): CertificateFigure {
  const detail = `valid ${c.lifetimeDays} days in all; warnings start at ${c.warnFromDays} days left`;
  if (c.daysLeft < 0) return { tone: 'bad', headline: 'Expired', detail };
  const headline = `${c.daysLeft} ${c.daysLeft === 1 ? 'day' : 'days'} left`;
  if (c.expiryWarning === null) return { tone: 'ok', headline, detail };
  return { tone: c.daysLeft < 7 ? 'bad' : 'warn', headline, detail: `${c.expiryWarning}; ${detail}` };
}

const HANDSHAKE_WORDS: Record<string, string> = {
  client_certificate: 'client certificate refused',
  tls: 'TLS handshake failed',
  unauthorized: 'wrong or missing credential',
  forbidden: 'not allowed',
  conflict: 'agent id already connected',
  origin: 'browser origin refused',
  busy: 'central busy (asked to retry)',
};

export function handshakeReason(reason: string): string {
  return HANDSHAKE_WORDS[reason] ?? reason.replace(/_/g, ' ');
}

/** "1,234": counts as operators read them. */
export function count(n: number): string {
  return n.toLocaleString('en');
}
