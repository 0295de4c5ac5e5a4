/** GET /api/overview as the UI reads it (the fleet at a glance; docs/adr/0041). */
import { type RolloutAgentState, type RolloutMode, type RolloutState } from './rollout-types.js';
import { type AgentStatus } from './types.js';

export type MigrationPhase = 'plain_only' | 'dual' | 'secure_published' | 'secure_only';

export interface RevisionCount {
  profile: string;
  revision: number;
  desired: number;
  desiredAndRunning: number;
  running: number;
}

export interface ActiveRollout {
  id: string;
  profile: string;
  revision: number;
  mode: RolloutMode;
  state: RolloutState;
  stateReason: string | null;
  currentWave: number;
  waveCount: number;
  targetCount: number;
  done: number;
  states: Partial<Record<RolloutAgentState, number>>;
  createdAt: string;
  updatedAt: string;
}

export interface FailedDelivery {
  agentId: string;
  rolloutId: string;
  profile: string;
  revision: number;
  mode: RolloutMode;
  reason: string | null;
  at: string;
}

export interface FleetOverview {
  generatedAt: string;
  agents: {
    total: number;
    revoked: number;
    byStatus: Record<AgentStatus, number>;
    onlineByTransport: Record<string, number>;
    byLastTransport: Record<string, number>;
  };
  profiles: {
    revisions: RevisionCount[];
    notOnDesired: number;
    runningNone: number;
    runningUnknown: number;
  };
  migration: {
    phase: MigrationPhase;
    next: MigrationPhase | null;
    stranded: number;
    /** The gate walks every agent: its count may be up to 15 s old. */
    strandedCheckedAt: string;
  } | null;
  certificate: {
    subject: string;
    notAfter: string;
    daysLeft: number;
    lifetimeDays: number;
    warnFromDays: number;
    expiryWarning: string | null;
  } | null;
  rollouts: ActiveRollout[];
  failures: {
    windowHours: number;
    profile: { count: number; latest: FailedDelivery[] };
    halted: Array<{ id: string; profile: string; revision: number; reason: string | null; since: string }>;
    handshake: { total: number; byReason: Record<string, number>; since: string };
  };
  unavailable: Record<string, string>;
}
