import { z } from 'zod';
import { AGENT_ID_PATTERN } from '../protocol/messages.js';
import { ROLLOUT_AGENT_STATES } from './rollouts.js';

// The bodies and queries of /api/rollouts and /api/agent-upgrades (docs/rollouts.md, ADR 41, ADR 45).

/** The largest wave seed (seeds are unsigned 32-bit integers, stored with the rollout). */
export const MAX_WAVE_SEED = 0xffff_ffff;

const name = z.string().regex(/^[A-Za-z0-9._-]{1,64}$/, 'must be 1-64 characters of A-Z a-z 0-9 . _ -');
const agentId = z
  .string()
  .regex(AGENT_ID_PATTERN, 'must be an agent id (1-128 characters of A-Z a-z 0-9 . _ -)');
const percent = z.number().int('must be a whole number').min(1, 'must be 1-100').max(100, 'must be 1-100');

const targets = z.union(
  [
    z.strictObject({ all: z.literal(true) }),
    z.strictObject({ agentIds: z.array(agentId).min(1, 'must name at least one agent').max(100_000) }),
    z.strictObject({ groups: z.array(name).min(1, 'must name at least one group').max(64) }),
  ],
  { error: 'must name all agents, a list of agent ids or a list of groups (all, agentIds or groups)' },
);

/** How a rollout splits its agents into waves; rotations and migration steps take the same shape. */
export const wavesSchema = z.union(
  [
    z.strictObject({
      sizes: z.array(z.number().int('must be whole numbers').min(1, 'must be at least 1')).min(1).max(100),
    }),
    z.strictObject({
      percentages: z
        .array(percent)
        .min(1)
        .max(100)
        .refine((p) => p.reduce((a, b) => a + b, 0) === 100, 'must add up to 100'),
    }),
  ],
  { error: 'must be wave sizes (agents per wave) or percentages adding up to 100 (sizes or percentages)' },
);

const errorThreshold = z.union(
  [
    z.strictObject({ count: z.number().int('must be a whole number').min(1, 'must be at least 1') }),
    z.strictObject({ percent }),
  ],
  { error: 'must be a number of failed agents or a percentage from 1 to 100 (count or percent)' },
);

/** The fields of a rollout request, before the checks across fields (package rollouts reuse them). */
export const createRolloutFields = z.strictObject({
  profile: name,
  revision: z.number().int('must be a whole number').min(1, 'must be at least 1'),
  targets,
  waves: wavesSchema.default({ percentages: [100] }),
  successThresholdPercent: percent.default(100),
  pauseBetweenWaves: z.boolean().default(false),
  // Conservative by default: the first failure stops the rollout before it reaches more agents.
  errorThreshold: errorThreshold.default({ count: 1 }),
  mode: z.enum(['synchronize', 'publish'], { error: 'must be "synchronize" or "publish"' }),
  stepTimeoutSeconds: z.number().int('must be a whole number').min(1).max(86_400).default(300),
  // 'ordered' (by id) stays the default: what the API did before the choice existed (ADR 41).
  waveOrder: z.enum(['ordered', 'random'], { error: 'must be "ordered" or "random"' }).default('ordered'),
  // The shuffle's seed: a preview's seed given back makes the rollout's waves the ones previewed.
  waveSeed: z
    .number()
    .int('must be a whole number')
    .min(0, `must be 0-${MAX_WAVE_SEED}`)
    .max(MAX_WAVE_SEED, `must be 0-${MAX_WAVE_SEED}`)
    .optional(),
});

/** A seed belongs to random waves only. */
export function seedOnlyWhenRandom(
  body: { waveOrder: 'ordered' | 'random'; waveSeed?: number | undefined },
  ctx: z.RefinementCtx,
): void {
  if (body.waveOrder === 'ordered' && body.waveSeed !== undefined)
    ctx.addIssue({
      code: 'custom',
      path: ['waveSeed'],
      message:
        'a seed only applies to a random wave order (waveOrder random); ordered waves take agents by id',
    });
}

/** POST /api/rollouts and POST /api/rollouts/preview */
export const createRolloutSchema = createRolloutFields.superRefine(seedOnlyWhenRandom);

export type CreateRolloutRequest = z.infer<typeof createRolloutSchema>;

/**
 * `POST /api/agent-upgrades`: a rollout of an uploaded agent package (ADR 45), with the waves,
 * thresholds, pause and step timeout of a profile rollout. `targets` may also be
 * `{"needsUpgrade": true}`: the agents the migration gate lists as unable to connect securely, and those
 * a rollout marked needs_upgrade.
 */
export const createPackageRolloutSchema = createRolloutFields
  .omit({ profile: true, revision: true, mode: true, targets: true })
  .extend({
    version: z
      .string()
      .regex(/^\d+\.\d+\.\d+(?:-[0-9A-Za-z.-]{1,40})?$/, 'must be an uploaded package version'),
    targets: z.union([createRolloutFields.shape.targets, z.strictObject({ needsUpgrade: z.literal(true) })], {
      error:
        'must name all agents, a list of agent ids, a list of groups, or the agents that need an upgrade (all, agentIds, groups or needsUpgrade)',
    }),
  })
  .superRefine(seedOnlyWhenRandom);

export type CreatePackageRolloutRequest = z.infer<typeof createPackageRolloutSchema>;

/** GET /api/rollouts?limit&offset */
export const listRolloutsSchema = z.strictObject({
  limit: z.coerce.number().int().min(1).max(1000).default(100),
  offset: z.coerce.number().int().min(0).default(0),
});

export const rolloutIdSchema = z.uuid('must be a rollout id');

/** Agents per page of a rollout when the caller does not say: small enough to build while a push runs. */
export const DEFAULT_AGENTS_PAGE = 100;
/** The largest page of a rollout's agents one request may ask for. */
export const MAX_AGENTS_PAGE = 10_000;

const agentState = z.enum(ROLLOUT_AGENT_STATES, {
  error: `must be one of ${ROLLOUT_AGENT_STATES.join(', ')}`,
});

/** Which of a rollout's agents GET /api/rollouts/:id lists: a page, optionally only some states. */
export const rolloutAgentsPageSchema = z.strictObject({
  limit: z.coerce
    .number()
    .int('must be a whole number')
    .min(1, `must be 1-${MAX_AGENTS_PAGE}`)
    .max(MAX_AGENTS_PAGE, `must be 1-${MAX_AGENTS_PAGE}`)
    .default(DEFAULT_AGENTS_PAGE),
  offset: z.coerce.number().int('must be a whole number').min(0, 'must be 0 or more').default(0),
  // Comma-separated, e.g. `failed,stale`: what an operator looks for in a big rollout.
  state: z
    .string()
    .transform((s) => s.split(',').map((x) => x.trim()))
    .pipe(z.array(agentState).min(1))
    .optional(),
});

export type RolloutAgentsPage = z.infer<typeof rolloutAgentsPageSchema>;
