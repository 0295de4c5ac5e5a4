import { z } from 'zod';
import { GROUP_NAME_PATTERN } from '../protocol/messages.js';
import { bulkResultSchema } from './agent-bulk.js';
import { AGENT_STATUSES } from './agents.js';
import { MIGRATION_PHASES, STRAND_REASONS } from './migration-phases.js';
import { wavesSchema } from './rollout-requests.js';
import { rolloutProgressSchema } from './rollouts.js';
import { timestamp, type Wire } from './wire.js';

// /api/migration: the plain → secure phases, the secure_only gate, exemptions (docs/migration.md, ADR 12).

export {
  MIGRATION_PHASES,
  STRAND_REASONS,
  type MigrationPhase,
  type StrandReasonCode,
} from './migration-phases.js';

const phase = z.enum(MIGRATION_PHASES);
const reason = z.string().trim().min(1, 'say why (it is audited)').max(1000);
const agentId = z.string().min(1).max(200);
const gateOptions = {
  windowHours: z
    .number()
    .min(0)
    .max(24 * 365)
    .optional(),
  minCertificateDays: z.number().int().min(0).max(3650).optional(),
};

/** Which stranded agents: all of a reason, a group, or those not seen for a while ("offline > 30 days"). */
export const strandedFilterSchema = z.strictObject({
  reason: z.enum(STRAND_REASONS).optional(),
  group: z.string().regex(GROUP_NAME_PATTERN, 'must be 1-64 characters of A-Z a-z 0-9 . _ -').optional(),
  lastSeenOlderThanDays: z.coerce.number().min(0).max(3650).optional(),
  /** Part of the agent id. */
  search: z.string().max(200).optional(),
});

export type StrandedFilter = z.infer<typeof strandedFilterSchema>;

/** GET /api/migration/stranded */
export const strandedPageSchema = strandedFilterSchema.extend({
  limit: z.coerce.number().int().min(1).max(1000).default(50),
  offset: z.coerce.number().int().min(0).default(0),
  /** The gate's minimum observation window, as for `GET /api/migration`. */
  windowHours: z.coerce
    .number()
    .min(0)
    .max(24 * 365)
    .optional(),
});

/** POST /api/migration/advance */
export const advanceRequestSchema = z.strictObject({
  to: phase.optional(),
  reason,
  force: z.boolean().optional(),
  acknowledge: z.array(agentId).max(100_000).optional(),
  acknowledgeFilter: strandedFilterSchema.optional(),
  profile: z.string().min(1).max(64).optional(),
  revision: z.number().int().min(1).optional(),
  rolloutId: z.uuid().optional(),
  accept: z.boolean().optional(),
  waves: wavesSchema.optional(),
  ...gateOptions,
});

/** POST /api/migration/rollback */
export const rollbackRequestSchema = z.strictObject({
  to: phase.optional(),
  reason,
  force: z.boolean().optional(),
});

/** POST /api/migration/exemptions */
export const exemptionRequestSchema = z.strictObject({
  agentId,
  reason,
  expiresAt: z.iso.datetime({ offset: true }).transform((v) => new Date(v)),
});

/** GET /api/migration */
export const statusQuerySchema = z.strictObject({
  windowHours: z.coerce
    .number()
    .min(0)
    .max(24 * 365)
    .optional(),
  minCertificateDays: z.coerce.number().int().min(0).max(3650).optional(),
  /** At most this many stranded agents in `stranded` (the counts stay complete); the table pages the rest. */
  strandedLimit: z.coerce.number().int().min(0).max(100_000).optional(),
  /** At most this many exemptions in `exemptions` (`exemptionCount` says how many there are). */
  exemptionsLimit: z.coerce.number().int().min(0).max(100_000).optional(),
});

/** GET /api/migration/exemptions */
export const exemptionsQuerySchema = z.strictObject({
  limit: z.coerce.number().int().min(1).max(10_000).optional(),
  offset: z.coerce.number().int().min(0).default(0),
});

/** POST /api/migration/exemptions/bulk: exempt every stranded agent a filter matches, in one step (ADR 40). */
export const bulkExemptionRequestSchema = z.strictObject({
  stranded: strandedFilterSchema,
  reason,
  expiresAt: z.iso.datetime({ offset: true }).transform((v) => new Date(v)),
  dryRun: z.boolean().default(false),
  ...gateOptions,
});

export const preconditionSchema = z.object({ id: z.string(), ok: z.boolean(), reason: z.string() });

export const strandedAgentSchema = z.object({
  agentId: z.string(),
  reasons: z.array(z.object({ code: z.enum(STRAND_REASONS), message: z.string() })),
});

export const exemptionSchema = z.object({
  agentId: z.string(),
  reason: z.string(),
  expiresAt: timestamp,
  createdAt: timestamp,
  createdBy: z.string(),
  active: z.boolean(),
});
export const exemptionListSchema = z.array(exemptionSchema);

export const transitionSchema = z.object({
  id: z.string(),
  at: timestamp,
  actor: z.string(),
  kind: z.enum(['advance', 'rollback', 'rollout_started', 'rollout_accepted', 'rollout_completed']),
  from: phase,
  to: phase,
  reason: z.string(),
  forced: z.boolean(),
  acknowledged: z.array(z.string()),
  /** How many were acknowledged (`acknowledged` lists the first 100). */
  acknowledgedCount: z.number().optional(),
  details: z.record(z.string(), z.unknown()),
});

export const strandedCountsSchema = z.object({
  total: z.number(),
  /** Agents per reason (an agent with two reasons counts under both). */
  byReason: z.record(z.enum(STRAND_REASONS), z.number()),
});

/** GET /api/migration (also the answer of advance and rollback). */
export const migrationStatusSchema = z.object({
  phase,
  next: phase.nullable(),
  previous: phase.nullable(),
  /** A `secure_published` advance waiting for its rollout. */
  pending: z
    .object({
      rolloutId: z.string(),
      since: timestamp,
      rollout: rolloutProgressSchema.nullable(),
    })
    .nullable(),
  preconditions: z.array(preconditionSchema),
  breakdown: z.object({
    secure: z.array(z.string()),
    plainButAble: z.array(z.string()),
    plainNotAble: z.array(z.string()),
    offline: z.array(z.string()),
    exempt: z.array(z.string()),
    /** Agents whose latest session came through a TLS connector, whatever their group. */
    viaConnector: z.array(z.string()),
  }),
  /** Who `secure_only` would strand right now, and why (the first `strandedLimit` when asked for fewer). */
  stranded: z.array(strandedAgentSchema),
  /** How many, by reason: what a screen shows first (the table is `GET /api/migration/stranded`). */
  strandedCounts: strandedCountsSchema,
  /** All exemptions, or the first `exemptionsLimit` of them. */
  exemptions: z.array(exemptionSchema),
  exemptionCount: z.number(),
  listeners: z.object({ plain: z.string(), secure: z.string() }),
  gate: z.object({ minCertificateDays: z.number(), minWindowHours: z.number() }),
  history: z.array(transitionSchema),
});

/** One row of the stranded table: the gate's verdict with what an operator filters and sorts on. */
export const strandedRowSchema = strandedAgentSchema.extend({
  status: z.enum(AGENT_STATUSES),
  transport: z.string().nullable(),
  lastSeenAt: timestamp.nullable(),
  enrolledAt: timestamp.nullable(),
  groups: z.array(z.string()),
});

/** GET /api/migration/stranded: counts by reason, then a page of those the filter matches (ADR 40). */
export const strandedPageAnswerSchema = z.object({
  counts: strandedCountsSchema,
  /** Stranded agents the filter matches (all pages). */
  matched: z.number(),
  offset: z.number(),
  limit: z.number(),
  agents: z.array(strandedRowSchema),
});

/** POST /api/migration/exemptions/bulk: a bulk result, with the filter in words. */
export const strandedExemptionResultSchema = bulkResultSchema.extend({ stranded: z.string() });

export const exemptionRemovedSchema = z.object({ removed: z.string() });

export type Precondition = Wire<typeof preconditionSchema>;
export type StrandedAgent = Wire<typeof strandedAgentSchema>;
export type Exemption = Wire<typeof exemptionSchema>;
export type Transition = Wire<typeof transitionSchema>;
export type MigrationStatus = Wire<typeof migrationStatusSchema>;
export type StrandedRow = Wire<typeof strandedRowSchema>;
export type StrandedPage = Wire<typeof strandedPageAnswerSchema>;
export type StrandedCounts = Wire<typeof strandedCountsSchema>;
export type StrandedExemptionResult = Wire<typeof strandedExemptionResultSchema>;
