import { DomainError } from '../common/domain-error.js';
import { type TruststoreEntry } from '../profiles/truststore-selection.js';
import {
  FleetProfilePublisher,
  SERVER_ANCHOR_ALIAS,
  freeAlias,
  type FleetProfilePublisherDeps,
} from '../rollouts/fleet-profile-publisher.js';
import { type SecureRolloutRequest } from './secure-rollout.port.js';

export interface SecureRolloutStarterDeps extends FleetProfilePublisherDeps {
  /** The secure listener's port, written into the revision so agents dial what central listens on. */
  securePort(): Promise<number>;
}

/**
 * `secure_published` without a chosen revision (docs/design.md §7, phase 3): the draft of the profile in use
 * gets `central.websocket.secure=true`, the active certificate's trust anchor in its truststore and
 * `wss` as a required capability (agents that cannot do wss are listed as needing an upgrade, never
 * sent it), is prepared, and published to all agents through the rollouts service.
 */
export class SecureRolloutStarter {
  private readonly publisher: FleetProfilePublisher;

  constructor(private readonly deps: SecureRolloutStarterDeps) {
    this.publisher = new FleetProfilePublisher(deps);
  }

  async start(req: SecureRolloutRequest): Promise<string> {
    let { profile, revision } = req;
    if (profile === undefined || revision === undefined) {
      const inUse = await this.publisher.profilesInUse();
      const prepared = [];
      for (const name of inUse)
        prepared.push({ profile: name, revision: await this.secureRevision(name, req.actor) });
      // One rollout publishes one profile to the whole fleet: with several in use, all-agents would
      // overwrite the other profiles, so the operator publishes each to its agents and hands one over.
      if (prepared.length > 1)
        throw new DomainError(
          'several_profiles_in_use',
          `${prepared.length} profiles are in use (${prepared.map((p) => `${p.profile} revision ${p.revision}`).join(', ')} prepared as secure revisions): publish each to its agents under Rollouts, then advance naming the last rollout (switchyard-migrate advance --rollout ID)`,
          { prepared },
        );
      ({ profile, revision } = prepared[0]!);
    }
    return this.publisher.publish(
      { profile, revision, targets: { all: true }, ...(req.waves ? { waves: req.waves } : {}) },
      req.actor,
    );
  }

  private async secureRevision(name: string, actor: string): Promise<number> {
    const securePort = String(await this.deps.securePort());
    return this.publisher.reviseAndPrepare(
      name,
      (draft) => {
        const truststore: TruststoreEntry[] = draft.truststore.some((e) => e.source === 'server-anchor')
          ? draft.truststore
          : [
              ...draft.truststore,
              { source: 'server-anchor', alias: freeAlias(draft.truststore, SERVER_ANCHOR_ALIAS) },
            ];
        return {
          set: { 'central.websocket.secure': 'true', 'central.websocket.secure.port': securePort },
          truststore,
          requiredCapabilities: [...new Set([...draft.requiredCapabilities, 'wss'])],
        };
      },
      actor,
    );
  }
}
