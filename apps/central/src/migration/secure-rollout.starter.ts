import { type DataSource } from 'typeorm';
import { DomainError, ErrorCode } from '../common/domain-error.js';
import { type ProfilePrepareService } from '../profiles/profile-prepare.service.js';
import { type ProfilesService } from '../profiles/profiles.service.js';
import { DEFAULT_ALIASES, type TruststoreEntry } from '../profiles/truststore-selection.js';
import { createRolloutSchema } from '../rollouts/dto/rollout.requests.js';
import { type RolloutsService } from '../rollouts/rollouts.service.js';
import { type SecureRolloutRequest } from './secure-rollout.port.js';

export interface SecureRolloutStarterDeps {
  db: Pick<DataSource, 'query'>;
  profiles: Pick<ProfilesService, 'require' | 'update'>;
  prepare: Pick<ProfilePrepareService, 'prepare'>;
  rollouts: Pick<RolloutsService, 'create'>;
  /** The secure listener's port, written into the revision so agents dial what central listens on. */
  securePort(): Promise<number>;
}

/**
 * `secure_published` without a chosen revision (DESIGN §7, phase 3): the draft of the profile in use
 * gets `central.websocket.secure=true`, the active certificate's trust anchor in its truststore and
 * `wss` as a required capability (agents that cannot do wss are listed as needing an upgrade, never
 * sent it), is prepared, and published to all agents through the rollouts service.
 */
export class SecureRolloutStarter {
  constructor(private readonly deps: SecureRolloutStarterDeps) {}

  async start(req: SecureRolloutRequest): Promise<string> {
    let { profile, revision } = req;
    if (profile === undefined || revision === undefined) {
      const inUse = await this.profilesInUse();
      const prepared = [];
      for (const name of inUse)
        prepared.push({ profile: name, revision: await this.secureRevision(name, req.actor) });
      // One rollout publishes one profile to the whole fleet: with several in use, all-agents would
      // overwrite the other profiles, so the operator publishes each to its agents and hands one over.
      if (prepared.length > 1)
        throw new DomainError(
          ErrorCode.CONFLICT,
          `${prepared.length} profiles are in use (${prepared.map((p) => `${p.profile} revision ${p.revision}`).join(', ')} prepared as secure revisions): publish each to its agents under Rollouts and advance with {"rolloutId"} of the last one`,
          { prepared },
        );
      ({ profile, revision } = prepared[0]!);
    }
    const created = await this.deps.rollouts.create(
      createRolloutSchema.parse({
        profile,
        revision,
        targets: { all: true },
        mode: 'publish',
        ...(req.waves ? { waves: req.waves } : {}),
      }),
      req.actor,
    );
    return created.id;
  }

  /** The profiles agents are meant to run; before any publish, the built-in `default`. */
  private async profilesInUse(): Promise<string[]> {
    const rows = (await this.deps.db.query(
      'SELECT DISTINCT profile_name FROM agent_desired_profiles ORDER BY profile_name',
    )) as Array<{ profile_name: string }>;
    return rows.length > 0 ? rows.map((r) => r.profile_name) : ['default'];
  }

  private async secureRevision(name: string, actor: string): Promise<number> {
    const draft = await this.deps.profiles.require(name);
    const truststore: TruststoreEntry[] = draft.truststore.some((e) => e.source === 'server-anchor')
      ? draft.truststore
      : [...draft.truststore, { source: 'server-anchor', alias: anchorAlias(draft.truststore) }];
    const requiredCapabilities = [...new Set([...draft.requiredCapabilities, 'wss'])];
    await this.deps.profiles.update(
      name,
      {
        draftVersion: draft.draftVersion,
        set: {
          'central.websocket.secure': 'true',
          'central.websocket.secure.port': String(await this.deps.securePort()),
        },
        truststore,
        requiredCapabilities,
      },
      actor,
    );
    // Same content as the latest revision ⇒ that revision again (prepare never duplicates).
    return (await this.deps.prepare.prepare(name, actor)).revision;
  }
}

function anchorAlias(entries: TruststoreEntry[]): string {
  const base: string = DEFAULT_ALIASES['server-anchor'];
  const taken = new Set(entries.map((e) => e.alias));
  let alias = base;
  for (let n = 2; taken.has(alias); n++) alias = `${base}-${n}`;
  return alias;
}
