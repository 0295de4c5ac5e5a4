import { type ConnectionStatus } from '../agents/agents.repository.js';
import { type Phase } from '../migration/migration-phase.js';
import { type RevisionCount } from './fleet-revisions.query.js';
import { type ActiveRollout, type FailedDelivery } from '../rollouts/rollouts-overview.repository.js';

/** `GET /api/overview`: the fleet at a glance, composed from the owning domains in one answer. */
export interface FleetOverview {
  generatedAt: Date;
  agents: {
    /** Registered, unrevoked agents. */
    total: number;
    revoked: number;
    byStatus: Record<ConnectionStatus, number>;
    /** Online agents by the transport of their session (`secure (via connector)` counted apart). */
    onlineByTransport: Record<string, number>;
    /** Every agent by the transport it last used (`none`: never connected). */
    byLastTransport: Record<string, number>;
  };
  profiles: {
    revisions: RevisionCount[];
    /** Agents meant to run a revision they do not report running. */
    notOnDesired: number;
    runningNone: number;
    runningUnknown: number;
  };
  migration: {
    phase: Phase;
    next: Phase | null;
    /** Agents the `secure_only` gate would strand (exempt ones not counted), as of `strandedCheckedAt`. */
    stranded: number;
    strandedCheckedAt: Date;
  } | null;
  certificate: {
    subject: string;
    notAfter: string;
    daysLeft: number;
    lifetimeDays: number;
    /** Days left at which warnings start for this certificate (its lifetime decides, ADR 39). */
    warnFromDays: number;
    /** `expired`, `expires within N days`, or null. */
    expiryWarning: string | null;
  } | null;
  rollouts: ActiveRollout[];
  failures: {
    /** The window `profile` counts over. */
    windowHours: number;
    profile: { count: number; latest: FailedDelivery[] };
    /** Rollouts the error threshold (or an operator) left halted: they wait for a decision. */
    halted: Array<{ id: string; profile: string; revision: number; reason: string | null; since: Date }>;
    /** Counted by this node since it started (each node counts its own connections). */
    handshake: { total: number; byReason: Record<string, number>; since: Date };
  };
  /** Parts that could not be read, by name, with why: the rest is still shown. */
  unavailable: Record<string, string>;
}
