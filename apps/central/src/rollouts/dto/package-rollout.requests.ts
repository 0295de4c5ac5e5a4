import { z } from 'zod';
import { createRolloutFields, seedOnlyWhenRandom } from './rollout.requests.js';

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
