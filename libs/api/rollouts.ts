import { ROLLOUT_AGENT_STATES, ROLLOUT_MODES, ROLLOUT_STATES } from './rollout-states.js';
import { z } from 'zod';
import { timestamp, type Wire } from './wire.js';

// What /api/rollouts and /api/agent-upgrades answer (docs/rollouts.md); the requests are in
// rollout-requests.ts.

export * from './rollout-states.js';

const agentState = z.enum(ROLLOUT_AGENT_STATES);
export const stateCountsSchema = z.partialRecord(agentState, z.number());

/**
 * The targets as a rollout is shown: a list of agent ids is cut to its first 100, with how many there
 * are (the rest are in its paged agents).
 */
export const shownTargetsSchema = z.union([
  z.object({ all: z.literal(true) }),
  z.object({ agentIds: z.array(z.string()), agentIdCount: z.number() }),
  z.object({ groups: z.array(z.string()) }),
]);
export const waveSpecSchema = z.union([
  z.object({ sizes: z.array(z.number()) }),
  z.object({ percentages: z.array(z.number()) }),
]);
export const errorThresholdSchema = z.union([
  z.object({ count: z.number() }),
  z.object({ percent: z.number() }),
]);

export const rolloutSchema = z.object({
  id: z.string(),
  /** The profile and revision a profile rollout delivers; null for an agent upgrade (`kind`). */
  profile: z.string().nullable(),
  revision: z.number().nullable(),
  mode: z.enum(ROLLOUT_MODES),
  targets: shownTargetsSchema,
  /** `order` and `seed` are absent from rollouts created before the choice existed (they were ordered). */
  waves: z.object({
    requested: waveSpecSchema,
    sizes: z.array(z.number()),
    order: z.enum(['ordered', 'random']).optional(),
    seed: z.number().optional(),
  }),
  waveCount: z.number(),
  currentWave: z.number(),
  successThresholdPercent: z.number(),
  pauseBetweenWaves: z.boolean(),
  errorThreshold: errorThresholdSchema,
  state: z.enum(ROLLOUT_STATES),
  stateReason: z.string().nullable(),
  stepTimeoutSeconds: z.number(),
  createdAt: timestamp,
  createdBy: z.string(),
  updatedAt: timestamp,
  finishedAt: timestamp.nullable(),
  /** What it delivers: a profile revision (`profile`, `revision`) or an agent package (ADR 45). */
  kind: z.enum(['profile', 'agent_package']),
  /** The package version of an `agent_package` rollout; null for a profile rollout. */
  packageVersion: z.string().nullable(),
});
export const rolloutListSchema = z.array(rolloutSchema);

export const waveViewSchema = z.object({
  wave: z.number(),
  size: z.number(),
  /** Entries per state. */
  states: stateCountsSchema,
  /** Entries that count for the success threshold (all but needs_upgrade and cancelled), and those done. */
  eligible: z.number(),
  done: z.number(),
});

/** One target agent of a rollout, as operators see it. */
export const rolloutAgentViewSchema = z.object({
  agentId: z.string(),
  wave: z.number(),
  state: agentState,
  reason: z.string().nullable(),
  attempts: z.number(),
  /** The agent's connection now: an offline agent waits, it is never shown further than it said. */
  connection: z.string(),
  stateChangedAt: timestamp,
  sentAt: timestamp.nullable(),
  synchronizedAt: timestamp.nullable(),
  appliedAt: timestamp.nullable(),
});

export const rolloutSummarySchema = rolloutSchema.extend({
  states: stateCountsSchema,
  waveProgress: z.array(waveViewSchema),
  /** Every target agent, whatever its state. */
  targetCount: z.number(),
});

/** GET /api/rollouts/:id: the summary and one page of agents (`agentsTotal` match the asked states). */
export const rolloutDetailSchema = rolloutSummarySchema.extend({
  agents: z.array(rolloutAgentViewSchema),
  agentsTotal: z.number(),
});

/** What the live socket pushes: a summary, with every agent when there are not too many. */
export const pushedRolloutSchema = rolloutSummarySchema.extend({
  agents: z.array(rolloutAgentViewSchema).optional(),
  agentsTotal: z.number().optional(),
  agentsOmitted: z.boolean().optional(),
});

/** POST /api/rollouts/preview: what a create body would target, wave by wave; nothing is written. */
export const rolloutPreviewSchema = z.object({
  profile: z.string(),
  revision: z.number(),
  mode: z.enum(ROLLOUT_MODES),
  targetCount: z.number(),
  /** The first targets in wave order. */
  firstTargets: z.array(z.string()),
  /** Targets that would wait for an agent upgrade instead of getting the revision. */
  needsUpgrade: z.number(),
  waveOrder: z.enum(['ordered', 'random']),
  /** Sent back with the create, the rollout gets exactly the previewed waves; null for ordered waves. */
  waveSeed: z.number().nullable(),
  waves: z.array(
    z.object({
      wave: z.number(),
      size: z.number(),
      needsUpgrade: z.number(),
      firstAgents: z.array(z.string()),
    }),
  ),
});

/** A rollout's progress as the migration and the certificate rotation show it (agents counted by state). */
export const rolloutProgressSchema = z.object({
  id: z.string(),
  profile: z.string(),
  revision: z.number(),
  mode: z.string(),
  state: z.string(),
  stateReason: z.string().nullable(),
  agents: z.record(z.string(), z.number()),
  failed: z.array(z.object({ agentId: z.string(), state: z.string(), reason: z.string().nullable() })),
});

/** `GET /api/agent-upgrades/needs-upgrade`: who `targets: {"needsUpgrade": true}` takes now (the full count, the first ids). */
export const needsUpgradeSchema = z.object({ count: z.number().int(), agentIds: z.array(z.string()) });

export type Rollout = Wire<typeof rolloutSchema>;
export type RolloutTargets = Wire<typeof shownTargetsSchema>;
export type WaveSpec = Wire<typeof waveSpecSchema>;
export type ErrorThreshold = Wire<typeof errorThresholdSchema>;
export type WaveView = Wire<typeof waveViewSchema>;
export type RolloutAgentView = Wire<typeof rolloutAgentViewSchema>;
export type RolloutSummary = Wire<typeof rolloutSummarySchema>;
export type RolloutDetail = Wire<typeof rolloutDetailSchema>;
export type PushedRollout = Wire<typeof pushedRolloutSchema>;
export type RolloutPreview = Wire<typeof rolloutPreviewSchema>;
export type NeedsUpgrade = Wire<typeof needsUpgradeSchema>;
