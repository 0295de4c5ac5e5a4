import { z } from 'zod';
import { AGENT_STATUSES } from './agents.js';
import { MIGRATION_PHASES } from './migration-phases.js';
import { ROLLOUT_MODES, ROLLOUT_STATES, stateCountsSchema } from './rollouts.js';
import { timestamp, type Wire } from './wire.js';

// GET /api/overview: the fleet at a glance, composed from the owning domains in one answer (ADR 41).

export const revisionCountSchema = z.object({
  profile: z.string(),
  revision: z.number(),
  /** Agents whose desired profile is this revision (set when a publish reaches them). */
  desired: z.number(),
  /** Of those, the ones that report running it (their hello's profile). */
  desiredAndRunning: z.number(),
  /** Every agent that reports running it, desired or not. */
  running: z.number(),
});

export const activeRolloutSchema = z.object({
  id: z.string(),
  /** Null for an agent upgrade (ADR 45). */
  profile: z.string().nullable(),
  revision: z.number().nullable(),
  mode: z.enum(ROLLOUT_MODES),
  state: z.enum(ROLLOUT_STATES),
  stateReason: z.string().nullable(),
  currentWave: z.number(),
  waveCount: z.number(),
  /** Every targeted agent, whatever its state: progress is `done` of these (never of fewer). */
  targetCount: z.number(),
  /** Targets at the rollout's goal (applied for publish, synchronized for synchronize). */
  done: z.number(),
  states: stateCountsSchema,
  createdAt: timestamp,
  updatedAt: timestamp,
});

export const failedDeliverySchema = z.object({
  agentId: z.string(),
  rolloutId: z.string(),
  /** Null for an agent upgrade (ADR 45). */
  profile: z.string().nullable(),
  revision: z.number().nullable(),
  mode: z.enum(ROLLOUT_MODES),
  reason: z.string().nullable(),
  at: timestamp,
});

const phase = z.enum(MIGRATION_PHASES);

export const fleetOverviewSchema = z.object({
  generatedAt: timestamp,
  agents: z.object({
    /** Registered, unrevoked agents. */
    total: z.number(),
    revoked: z.number(),
    byStatus: z.record(z.enum(AGENT_STATUSES), z.number()),
    /** Online agents by the transport of their session (`secure (via connector)` counted apart). */
    onlineByTransport: z.record(z.string(), z.number()),
    /** Every agent by the transport it last used (`none`: never connected). */
    byLastTransport: z.record(z.string(), z.number()),
  }),
  profiles: z.object({
    revisions: z.array(revisionCountSchema),
    /** Agents meant to run a revision they do not report running. */
    notOnDesired: z.number(),
    runningNone: z.number(),
    runningUnknown: z.number(),
  }),
  migration: z
    .object({
      phase,
      next: phase.nullable(),
      /** Agents the `secure_only` gate would strand (exempt ones not counted), as of `strandedCheckedAt`. */
      stranded: z.number(),
      /** The gate walks every agent: its count may be up to 15 s old. */
      strandedCheckedAt: timestamp,
    })
    .nullable(),
  certificate: z
    .object({
      subject: z.string(),
      notAfter: z.string(),
      daysLeft: z.number(),
      lifetimeDays: z.number(),
      /** Days left at which warnings start for this certificate (its lifetime decides, ADR 39). */
      warnFromDays: z.number(),
      /** `expired`, `expires within N days`, or null. */
      expiryWarning: z.string().nullable(),
    })
    .nullable(),
  rollouts: z.array(activeRolloutSchema),
  failures: z.object({
    /** The window `profile` counts over. */
    windowHours: z.number(),
    profile: z.object({ count: z.number(), latest: z.array(failedDeliverySchema) }),
    /** Rollouts the error threshold (or an operator) left halted: they wait for a decision. */
    halted: z.array(
      z.object({
        id: z.string(),
        profile: z.string().nullable(),
        revision: z.number().nullable(),
        reason: z.string().nullable(),
        since: timestamp,
      }),
    ),
    /** Counted by this node since it started (each node counts its own connections). */
    handshake: z.object({ total: z.number(), byReason: z.record(z.string(), z.number()), since: timestamp }),
  }),
  /** Parts that could not be read, by name, with why: the rest is still shown. */
  unavailable: z.record(z.string(), z.string()),
});

export type RevisionCount = Wire<typeof revisionCountSchema>;
export type ActiveRollout = Wire<typeof activeRolloutSchema>;
export type FailedDelivery = Wire<typeof failedDeliverySchema>;
export type FleetOverview = Wire<typeof fleetOverviewSchema>;
