/** Shapes of /api/migration as the UI reads them (docs/migration.md). */

export const PHASES = ['plain_only', 'dual', 'secure_published', 'secure_only'] as const;
export type Phase = (typeof PHASES)[number];

export interface Precondition {
  id: string;
  ok: boolean;
  reason: string;
}

export interface StrandedAgent {
  agentId: string;
  reasons: Array<{ code: string; message: string }>;
}

export interface Exemption {
  agentId: string;
  reason: string;
  expiresAt: string;
  createdAt: string;
  createdBy: string;
  active: boolean;
}

export interface Transition {
  id: string;
  at: string;
  actor: string;
  kind: string;
  from: Phase;
  to: Phase;
  reason: string;
  forced: boolean;
  acknowledged: string[];
  /** How many were acknowledged (`acknowledged` lists the first 100). */
  acknowledgedCount?: number;
}

export interface MigrationStatus {
  phase: Phase;
  next: Phase | null;
  previous: Phase | null;
  pending: {
    rolloutId: string;
    since: string;
    rollout: {
      id: string;
      profile: string;
      revision: number;
      state: string;
      agents: Record<string, number>;
    } | null;
  } | null;
  preconditions: Precondition[];
  breakdown: Record<'secure' | 'plainButAble' | 'plainNotAble' | 'offline' | 'exempt', string[]>;
  stranded: StrandedAgent[];
  /** Absent from centrals before ADR 40. */
  strandedCounts?: { total: number; byReason: Record<string, number> };
  exemptions: Exemption[];
  exemptionCount?: number;
  listeners: { plain: string; secure: string };
  gate: { minCertificateDays: number; minWindowHours: number };
  history: Transition[];
}

export const PHASE_LABELS: Record<Phase, string> = {
  plain_only: 'Plain only',
  dual: 'Dual (plain and secure)',
  secure_published: 'Secure profile published',
  secure_only: 'Secure only',
};
