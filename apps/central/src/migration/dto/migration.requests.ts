import { z } from 'zod';
import { PHASES } from '../migration-phase.js';
import { strandedFilterSchema } from '../stranded-table.js';

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

export const advanceRequestSchema = z.strictObject({
  to: z.enum(PHASES).optional(),
  reason,
  force: z.boolean().optional(),
  acknowledge: z.array(agentId).max(100_000).optional(),
  acknowledgeFilter: strandedFilterSchema.optional(),
  profile: z.string().min(1).max(64).optional(),
  revision: z.number().int().min(1).optional(),
  rolloutId: z.uuid().optional(),
  accept: z.boolean().optional(),
  waves: z
    .union([
      z.strictObject({ sizes: z.array(z.number().int().min(1)).min(1).max(100) }),
      z.strictObject({
        percentages: z
          .array(z.number().int().min(1).max(100))
          .min(1)
          .max(100)
          .refine((p) => p.reduce((a, b) => a + b, 0) === 100, 'must add up to 100'),
      }),
    ])
    .optional(),
  ...gateOptions,
});

export const rollbackRequestSchema = z.strictObject({
  to: z.enum(PHASES).optional(),
  reason,
  force: z.boolean().optional(),
});

export const exemptionRequestSchema = z.strictObject({
  agentId,
  reason,
  expiresAt: z.iso.datetime({ offset: true }).transform((v) => new Date(v)),
});

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

export const exemptionsQuerySchema = z.strictObject({
  limit: z.coerce.number().int().min(1).max(10_000).optional(),
  offset: z.coerce.number().int().min(0).default(0),
});

/** Exempt every stranded agent a filter matches, in one step (ADR 40). */
export const bulkExemptionRequestSchema = z.strictObject({
  stranded: strandedFilterSchema,
  reason,
  expiresAt: z.iso.datetime({ offset: true }).transform((v) => new Date(v)),
  dryRun: z.boolean().default(false),
  ...gateOptions,
});
