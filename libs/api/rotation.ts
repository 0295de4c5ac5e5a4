import { ROTATION_PHASES, ROTATION_STEPS } from './rotation-phases.js';
import { z } from 'zod';
import { strandedByCertificateSchema } from './acme.js';
import { hostsField, passwordField } from './certificates.js';
import { wavesSchema } from './rollout-requests.js';
import { rolloutProgressSchema } from './rollouts.js';
import { type Wire } from './wire.js';

// /api/certificates/rotations: the staged server-certificate rotation (ADR 30, ADR 32).

export * from './rotation-phases.js';

const reason = z
  .string()
  .trim()
  .min(1, 'say why (it is audited)')
  .max(1000, 'must be at most 1000 characters');
const agentId = z.string().min(1).max(200);

/** Multipart fields next to the files of `POST /api/certificates/rotations` (as the server import's). */
export const stageFieldsSchema = z.strictObject({
  password: passwordField,
  hosts: hostsField,
  reason,
});

/** POST /api/certificates/rotations/:id/advance */
export const advanceRotationSchema = z.strictObject({
  reason,
  waves: wavesSchema.optional(),
  force: z.boolean().optional(),
  acknowledge: z.array(agentId).max(100_000).optional(),
  cleanup: z.boolean().optional(),
});

/** POST /api/certificates/rotations/:id/abort */
export const abortRotationSchema = z.strictObject({
  reason,
  revert: z.boolean().optional(),
});

/** `?limit=` caps the stranded agents listed (default 50). */
export const rotationQuerySchema = z.strictObject({
  limit: z.coerce
    .number()
    .int('must be a whole number')
    .min(1, 'must be 1-1000')
    .max(1000, 'must be 1-1000')
    .default(50),
});

export const rotationIdSchema = z.uuid('must be a rotation id');

const anchor = z.object({ sha256: z.string(), subject: z.string() });
const phase = z.enum(ROTATION_PHASES);

/** A rotation as the API, certmgr and the UI show it (never the key). */
export const rotationSchema = z.object({
  id: z.string(),
  phase,
  /** Where `advance` goes; null when the rotation is over. */
  next: phase.nullable(),
  certificate: z.object({
    subject: z.string(),
    issuer: z.string(),
    fingerprintSha256: z.string(),
    notAfter: z.string(),
    anchor,
  }),
  /** The anchor agents trusted before (what the clean-up removes). */
  fromAnchor: anchor,
  /** The staged key was discarded (aborted). */
  keyDiscarded: z.boolean(),
  steps: z.array(
    z.object({
      id: z.enum(ROTATION_STEPS),
      state: z.enum(['done', 'current', 'pending', 'skipped']),
      /** The rollouts of this step (trust, cleanup), with per-agent progress when live. */
      rollouts: z
        .array(
          z.object({
            profile: z.string(),
            revision: z.number(),
            rolloutId: z.string(),
            progress: rolloutProgressSchema.nullable(),
          }),
        )
        .optional(),
    }),
  ),
  /** Live: known agents that report the new anchor; absent when the rotation is over. */
  gate: z
    .object({
      total: z.number(),
      trusting: z.number(),
      strandedCount: z.number(),
      /** The first `limit` agents that would not trust the new chain. */
      stranded: z.array(strandedByCertificateSchema),
      ok: z.boolean(),
    })
    .optional(),
  history: z.array(
    z.object({
      at: z.string(),
      actor: z.string(),
      step: z.enum(['stage', 'advance', 'abort']),
      from: phase.nullable(),
      to: phase,
      reason: z.string(),
      details: z.record(z.string(), z.unknown()),
    }),
  ),
  /** Set when the rotation advances by itself (ADR 32): what drives it, and why it stopped advancing. */
  automatic: z
    .object({
      source: z.literal('acme'),
      blocked: z.object({ since: z.string(), reason: z.string() }).nullable(),
    })
    .nullable(),
  createdBy: z.string(),
  createdAt: z.string(),
  updatedAt: z.string(),
});
export const rotationListSchema = z.array(rotationSchema);

export type Rotation = Wire<typeof rotationSchema>;
export type RotationRollout = NonNullable<Rotation['steps'][number]['rollouts']>[number];
