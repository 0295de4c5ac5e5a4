import { z } from 'zod';

const reason = z
  .string()
  .trim()
  .min(1, 'say why (it is audited)')
  .max(1000, 'must be at most 1000 characters');
const agentId = z.string().min(1).max(200);
const waves = z.union(
  [
    z.strictObject({ sizes: z.array(z.number().int('must be whole numbers').min(1)).min(1).max(100) }),
    z.strictObject({
      percentages: z
        .array(z.number().int().min(1).max(100))
        .min(1)
        .max(100)
        .refine((p) => p.reduce((a, b) => a + b, 0) === 100, 'must add up to 100'),
    }),
  ],
  { error: 'must be wave sizes (agents per wave) or percentages adding up to 100 (sizes or percentages)' },
);

/** Multipart fields next to the files of `POST /api/certificates/rotations` (as the server import's). */
export const stageFieldsSchema = z.strictObject({
  password: z.string().max(1024, 'must be at most 1024 characters').optional(),
  hosts: z
    .string()
    .max(4096)
    .transform((v) =>
      v
        .split(',')
        .map((h) => h.trim().toLowerCase())
        .filter(Boolean),
    )
    .optional(),
  reason,
});

export const advanceRotationSchema = z.strictObject({
  reason,
  waves: waves.optional(),
  force: z.boolean().optional(),
  acknowledge: z.array(agentId).max(100_000).optional(),
  cleanup: z.boolean().optional(),
});

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
