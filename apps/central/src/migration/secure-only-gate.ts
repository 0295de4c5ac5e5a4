import { type AgentGateFacts } from './agent-gate-facts.js';
import { WINDOW_GAP_FACTOR } from './migration.config.js';

export type StrandReasonCode = 'never_connected' | 'plain' | 'offline' | 'cannot_wss' | 'failed_apply';

export interface StrandReason {
  code: StrandReasonCode;
  message: string;
}

export interface StrandedAgent {
  agentId: string;
  reasons: StrandReason[];
}

export interface AgentBreakdown {
  secure: string[];
  plainButAble: string[];
  plainNotAble: string[];
  offline: string[];
  exempt: string[];
  /**
   * Agents whose latest session came through a TLS connector, whatever their group: secure-capable that
   * way (no `cannot_wss`), still shown so the operator decides whether to exempt them as well.
   */
  viaConnector: string[];
}

export interface GateResult {
  stranded: StrandedAgent[];
  breakdown: AgentBreakdown;
}

const ROLLOUT_FAILURES = new Set(['failed', 'stale', 'needs_upgrade']);

const iso = (d: Date) => d.toISOString().replace(/\.\d{3}Z$/, 'Z');

function hours(seconds: number): string {
  const h = seconds / 3600;
  return h >= 48 ? `${Math.round(h / 24)} days` : `${Math.round(h * 10) / 10} h`;
}

/** The observation window of one agent: longer than its longest observed offline gap, never below the minimum. */
export function observationWindowSeconds(facts: AgentGateFacts, minWindowHours: number): number {
  const gap = facts.history?.longestOfflineGapSeconds ?? 0;
  return Math.max(minWindowHours * 3600, Math.ceil(gap * WINDOW_GAP_FACTOR));
}

/**
 * Who would be cut off if plain went to localhost only (docs/design.md §7): every registered, non-exempt agent
 * must have connected over secure, as its latest connection, within its observation window.
 */
export function assessSecureOnly(agents: AgentGateFacts[], now: Date, minWindowHours: number): GateResult {
  const stranded: StrandedAgent[] = [];
  const breakdown: AgentBreakdown = {
    secure: [],
    plainButAble: [],
    plainNotAble: [],
    offline: [],
    exempt: [],
    viaConnector: [],
  };
  for (const a of agents) {
    if (a.via) breakdown.viaConnector.push(a.id);
    if (a.exemption) {
      breakdown.exempt.push(a.id);
      continue;
    }
    const reasons = reasonsFor(a, now, minWindowHours);
    const online = a.status === 'online';
    const ableToWss = a.capabilities.includes('wss') || a.via !== null;
    if (reasons.length === 0) breakdown.secure.push(a.id);
    else if (!online) breakdown.offline.push(a.id);
    else if (ableToWss) breakdown.plainButAble.push(a.id);
    else breakdown.plainNotAble.push(a.id);
    if (reasons.length > 0) stranded.push({ agentId: a.id, reasons });
  }
  return { stranded, breakdown };
}

function reasonsFor(a: AgentGateFacts, now: Date, minWindowHours: number): StrandReason[] {
  // Agents that connected before the history existed fall back to their current row.
  const lastTransport = a.history?.lastTransport ?? a.transport;
  const lastConnectedAt = a.history?.lastConnectedAt ?? a.connectedAt;
  if (!lastConnectedAt) return [{ code: 'never_connected', message: 'never connected' }, ...capability(a)];
  const online = a.status === 'online';
  const window = observationWindowSeconds(a, minWindowHours);
  const lastSeen = a.lastSeenAt ?? lastConnectedAt;
  const seenWithinWindow = online || now.getTime() - lastSeen.getTime() <= window * 1000;
  const secure = lastTransport?.startsWith('secure') ?? false;
  if (secure && seenWithinWindow) return [];

  const reasons: StrandReason[] = [];
  if (!seenWithinWindow) {
    reasons.push({
      code: 'offline',
      message: `offline since ${iso(lastSeen)} (longer than its ${hours(window)} observation window)`,
    });
  }
  if (!secure) {
    const since = a.history?.lastPlainAt ?? lastConnectedAt;
    const secureOnce = a.history?.lastSecureAt;
    reasons.push({
      code: 'plain',
      message:
        `connected over plain since ${iso(since)}` +
        (secureOnce ? ` (last over secure ${iso(secureOnce)})` : ' (never over secure)'),
    });
  }
  reasons.push(...capability(a));
  if (a.rollout && ROLLOUT_FAILURES.has(a.rollout.state)) {
    reasons.push({
      code: 'failed_apply',
      message: `failed apply: ${a.rollout.state}${a.rollout.reason ? `: ${a.rollout.reason}` : ''} (rollout ${a.rollout.rolloutId})`,
    });
  }
  return reasons;
}

function capability(a: AgentGateFacts): StrandReason[] {
  // Behind a connector the device speaks plain and the connector does the TLS.
  if (a.capabilities.includes('wss') || a.agentVersion === null || a.via) return [];
  return [
    {
      code: 'cannot_wss',
      message: `cannot do wss: agent version ${a.agentVersion} lacks the 'wss' capability`,
    },
  ];
}
