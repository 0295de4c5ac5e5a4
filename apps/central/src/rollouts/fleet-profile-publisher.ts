import { type ProfilePrepareService } from '../profiles/profile-prepare.service.js';
import { type ProfileDraft } from '../profiles/profiles.repository.js';
import { type ProfilesService } from '../profiles/profiles.service.js';
import { type UpdateProfileRequest } from '../../../../libs/api/profile-requests.js';
import { DEFAULT_ALIASES, type TruststoreEntry } from '../profiles/truststore-selection.js';
import { createRolloutSchema } from '../../../../libs/api/rollout-requests.js';
import { type DesiredProfilesRepository } from './desired-profiles.repository.js';
import { type RolloutsService } from './rollouts.service.js';

export interface FleetProfilePublisherDeps {
  /** Rollouts' own record of which profile each agent is meant to run. */
  desired: Pick<DesiredProfilesRepository, 'profilesInUse' | 'agentsOf'>;
  profiles: Pick<ProfilesService, 'require' | 'update'>;
  prepare: Pick<ProfilePrepareService, 'prepare'>;
  rollouts: Pick<RolloutsService, 'create'>;
}

/** Wave sizes as the rollouts API takes them (default: one wave). */
export type FleetWaves = { sizes: number[] } | { percentages: number[] };

/** The draft change a fleet-wide edit makes (the draft version is filled in). */
export type DraftEdit = Omit<UpdateProfileRequest, 'draftVersion'>;

/**
 * What the migration (secure revision, ADR 15) and the staged rotation (trust of both anchors, ADR 30)
 * share: find the profiles in use, edit each draft in place, prepare a revision from it, and publish it
 * through the rollouts service (waves and thresholds as any rollout).
 */
export class FleetProfilePublisher {
  private readonly desired: FleetProfilePublisherDeps['desired'];

  constructor(private readonly deps: FleetProfilePublisherDeps) {
    this.desired = deps.desired;
  }

  /** The profiles agents are meant to run; before any publish, the built-in `default`. */
  async profilesInUse(): Promise<string[]> {
    const names = await this.desired.profilesInUse();
    return names.length > 0 ? names : ['default'];
  }

  /** The agents meant to run `profile` (the targets when several profiles are in use). */
  agentsOf(profile: string): Promise<string[]> {
    return this.desired.agentsOf(profile);
  }

  /**
   * Edits the draft of `name` (`edit` sees the current draft) and prepares it; answers the revision.
   * Same content as the latest revision ⇒ that revision again (prepare never duplicates).
   */
  async reviseAndPrepare(
    name: string,
    edit: (draft: ProfileDraft) => DraftEdit,
    actor: string,
  ): Promise<number> {
    const draft = await this.deps.profiles.require(name);
    await this.deps.profiles.update(name, { draftVersion: draft.draftVersion, ...edit(draft) }, actor);
    return (await this.deps.prepare.prepare(name, actor)).revision;
  }

  /** A publish rollout of one revision to `targets`, with the rollouts' defaults for what is not given. */
  async publish(
    input: {
      profile: string;
      revision: number;
      targets: { all: true } | { agentIds: string[] };
      waves?: FleetWaves;
    },
    actor: string,
  ): Promise<string> {
    const created = await this.deps.rollouts.create(
      createRolloutSchema.parse({
        profile: input.profile,
        revision: input.revision,
        targets: input.targets,
        mode: 'publish',
        ...(input.waves ? { waves: input.waves } : {}),
      }),
      actor,
    );
    return created.id;
  }
}

/** A free alias for a new truststore entry: `base`, else `base-2`, `base-3`, … */
export function freeAlias(entries: readonly TruststoreEntry[], base: string): string {
  const taken = new Set(entries.map((e) => e.alias));
  let alias = base;
  for (let n = 2; taken.has(alias); n++) alias = `${base}-${n}`;
  return alias;
}

/** The alias a `server-anchor` entry gets when an edit adds one. */
export const SERVER_ANCHOR_ALIAS: string = DEFAULT_ALIASES['server-anchor'];
