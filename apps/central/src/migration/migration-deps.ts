import { type BoundListener } from '../cluster/nodes.repository.js';
import { type ListenerSettingsPort } from './listener-settings.port.js';
import { type MigrationGateQuery } from './migration-gate.query.js';
import { type MigrationConfig } from './migration.config.js';
import { type MigrationRepository } from './migration.repository.js';
import { type SecureRolloutPort } from './secure-rollout.port.js';

/** Who asked: an admin through the API, `migrate (<os user>)` in the CLI, or `system`. */
export interface MigrationActor {
  name: string;
  address: string | null;
}

/**
 * Everything the migration needs from the rest of central, given explicitly so that the same code runs
 * inside a node (Nest providers) and in the `migrate` CLI (direct database access).
 */
export interface MigrationDeps {
  /** The migration's own tables. */
  repo: MigrationRepository;
  /** What the gate reads of the other domains (a report, ADR 47). */
  gate: Pick<MigrationGateQuery, 'gateFacts' | 'onlineOverSecure' | 'profileCentralHosts'>;
  /** A registered (not revoked) agent has this id: the agents domain answers. */
  agentExists(agentId: string): Promise<boolean>;
  /** The stored agent.conf and truststore of a revision: the profiles domain answers. */
  revision(
    profile: string,
    revision: number,
  ): Promise<
    { agentConf: string; truststore: Array<{ fingerprintSha256?: string; pem?: string }> } | undefined
  >;
  settings: ListenerSettingsPort;
  rollouts: SecureRolloutPort;
  activeChainPem(): Promise<string | undefined>;
  /** Listeners bound by live central nodes (this one included): their ports count as ours, not taken. */
  boundListeners(): Promise<BoundListener[]>;
  audit(
    actor: MigrationActor,
    action: string,
    outcome: 'success' | 'refused',
    details: Record<string, unknown>,
  ): Promise<void>;
  config: MigrationConfig;
  agentHosts: string[];
  adminPort: number;
}

/** Per-request overrides of the configured gate defaults. */
export interface GateOptions {
  minCertificateDays?: number;
  windowHours?: number;
}
