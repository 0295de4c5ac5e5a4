import { type ImportFile } from '../../../../libs/pki/index.js';
import { type CertificatesService } from '../certificates/certificates.service.js';
import { type SecretBox } from '../crypto/secret-box.js';
import { type RolloutProgress } from '../migration/secure-rollout.port.js';
import { type FleetProfilePublisher } from '../rollouts/fleet-profile-publisher.js';
import { type RotationTrustSource } from './rotation-gate.js';
import { type RotationRepository } from './rotation.repository.js';

/** Who takes a step: a user (with address), `certmgr (<os user>)`, or `system`. */
export interface RotationActor {
  name: string;
  address?: string;
}

/** Everything the rotation needs, so a node and certmgr can build it alike (certmgr has no publisher). */
export interface RotationDeps {
  repo: RotationRepository;
  secrets: Pick<SecretBox, 'seal' | 'open'>;
  certificates: Pick<CertificatesService, 'install' | 'restorePrevious'>;
  /** The certificate served now (id and chain), read from the database. */
  activeCertificate(): Promise<{ id: string; chainPem: string } | undefined>;
  trust: RotationTrustSource;
  /** The migration window (hours): agents seen within it are "known". */
  windowHours: number;
  /** Prepares and publishes revisions: only inside a running node (its profiles and rollouts services). */
  publisher?: FleetProfilePublisher;
  rolloutProgress(rolloutId: string): Promise<RolloutProgress | undefined>;
  audit(
    actor: RotationActor,
    action: string,
    outcome: 'success' | 'refused',
    details: Record<string, unknown>,
  ): Promise<void>;
  /** Host names agents use (SWITCHYARD_AGENT_HOSTS), checked against the staged certificate's names. */
  agentHosts: string[];
}

/** What `stage` takes: the server-certificate import's inputs. */
export interface StageRequest {
  files: ImportFile[];
  password?: string;
  hosts?: string[];
  reason: string;
}

export interface AdvanceRequest {
  reason: string;
  /** Step 2 and 5: how the rollouts go (default one wave, the rollouts' thresholds). */
  waves?: { sizes: number[] } | { percentages: number[] };
  /** Step 3 (gate): go past stranded agents, naming each in `acknowledge`. */
  force?: boolean;
  acknowledge?: string[];
  /** Step 5: publish the revision without the old anchor (default true). */
  cleanup?: boolean;
}

export interface AbortRequest {
  reason: string;
  /** Publish a revision without the new anchor again (default true; needs a running node). */
  revert?: boolean;
}
