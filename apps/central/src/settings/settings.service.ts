import { Inject, Injectable, Logger } from '@nestjs/common';
import { CLIENT_CERT_IN_SESSION } from '../../../../libs/protocol/index.js';
import { AgentsService } from '../agents/agents.service.js';
import { CertificatesService } from '../certificates/certificates.service.js';
import { ClusterBus } from '../cluster/cluster-bus.js';
import { NodesRepository } from '../cluster/nodes.repository.js';
import { DomainError, ValidationError, type FieldIssue } from '../common/domain-error.js';
import { EventBus } from '../common/event-bus.js';
import { CENTRAL_CONFIG, type CentralConfig } from '../config/central-config.js';
import { ListenerManager } from '../listeners/listener-manager.js';
import { LocalCaService } from '../local-ca/local-ca.service.js';
import { agentsStrandedByPlainChange, plainChangeMayStrand, plainPortsOf } from './plain-strand.js';
import { SettingsRepository, type SettingsVersion } from './settings.repository.js';
import {
  DEFAULT_WEBSOCKET_SETTINGS,
  effectivePlainBinding,
  mergeSettings,
  type WebSocketSettings,
  type WebSocketSettingsPatch,
} from './websocket-settings.js';

/** Names listed in the 409 message when requiring client certificates would refuse agents. */
const STRANDED_NAMES_SHOWN = 20;

@Injectable()
export class SettingsService {
  private readonly logger = new Logger('settings');
  /** The newest settings version this node has applied (or tried to: a failed bind is logged, not retried). */
  private appliedVersion = 0;

  constructor(
    private readonly repo: SettingsRepository,
    private readonly listeners: ListenerManager,
    private readonly certificates: CertificatesService,
    private readonly agents: AgentsService,
    private readonly cluster: ClusterBus,
    private readonly localCa: LocalCaService,
    @Inject(CENTRAL_CONFIG) private readonly config: CentralConfig,
    events: EventBus,
    private readonly nodes: NodesRepository,
  ) {
    // One path for every change: this node's own PUT applied its version already, and the event (which
    // the bus also delivers here) is then a no-op; another node's or a CLI's newer version is applied.
    events.on('settings.changed', ({ version }) => {
      if (version > this.appliedVersion)
        void this.applyStored(`version ${version} from another node or a CLI`);
    });
    events.on('certificate.changed', async () => {
      const identity = await this.certificates.activeIdentity();
      if (identity) await this.listeners.swapCertificate(identity);
    });
  }

  async current(): Promise<SettingsVersion> {
    const latest = await this.repo.latest();
    if (latest) return latest;
    await this.repo.insert(1, DEFAULT_WEBSOCKET_SETTINGS, 'system');
    return (await this.repo.latest())!;
  }

  /** At boot: binds what the database says. A port in use is logged, not fatal: the admin API stays up to fix it. */
  async applyStored(why = 'boot'): Promise<void> {
    const { value, version } = await this.current();
    this.appliedVersion = Math.max(this.appliedVersion, version);
    try {
      await this.listeners.apply(value, await this.certificates.activeIdentity());
      this.logger.log(`WebSocket settings version ${version} applied (${why})`);
    } catch (error) {
      this.logger.error(`cannot apply WebSocket settings version ${version}: ${(error as Error).message}`);
    }
  }

  /**
   * Validates, checks who would be stranded, applies on this node, then stores the new version and
   * tells the other nodes. Nothing is stored when applying fails.
   */
  async update(patch: WebSocketSettingsPatch, actor: string): Promise<SettingsVersion> {
    const current = await this.current();
    const next = mergeSettings(current.value, patch);
    await this.validate(next);
    await this.refuseStranding(current.value, next, patch.force === true);
    await this.refuseMutualTlsStranding(current.value, next, patch.force === true);
    const identity = await this.certificates.activeIdentity();
    try {
      await this.listeners.apply(next, identity);
    } catch (error) {
      await this.listeners.apply(current.value, identity).catch(() => undefined);
      throw error;
    }
    if (!(await this.repo.insert(current.version + 1, next, actor))) {
      this.appliedVersion = 0; // whatever is stored now must be applied
      await this.applyStored('concurrent change');
      throw new DomainError(
        'settings_changed_meanwhile',
        'the settings were changed by someone else at the same time; reload and retry',
      );
    }
    this.appliedVersion = Math.max(this.appliedVersion, current.version + 1);
    await this.cluster.publish('settings.changed', { version: current.version + 1 });
    return (await this.repo.latest())!;
  }

  private async validate(s: WebSocketSettings): Promise<void> {
    const issues: FieldIssue[] = [];
    if (s.plain.port === s.secure.port)
      issues.push({ field: 'secure.port', message: `must differ from the plain port (${s.plain.port})` });
    for (const kind of ['plain', 'secure'] as const) {
      if (s[kind].port === this.config.http.port) {
        issues.push({ field: `${kind}.port`, message: `is the admin HTTP port (${this.config.http.port})` });
      }
    }
    if (s.secure.enabled) {
      const identity = await this.certificates.activeIdentity();
      const now = Date.now();
      if (!identity)
        issues.push({ field: 'secure.enabled', message: 'there is no active server certificate' });
      else if (Date.parse(identity.summary.notAfter) < now || Date.parse(identity.summary.notBefore) > now) {
        issues.push({
          field: 'secure.enabled',
          message: `the active server certificate is not valid now (${identity.summary.notBefore} – ${identity.summary.notAfter})`,
        });
      }
    }
    if (issues.length > 0) throw new ValidationError(issues);
  }

  /**
   * Requiring client certificates refuses, at their next handshake, the agents on secure that were never
   * issued one (they get one under "optional" or over plain first): the same 409 + force as for plain.
   */
  private async refuseMutualTlsStranding(
    current: WebSocketSettings,
    next: WebSocketSettings,
    force: boolean,
  ): Promise<void> {
    if (force || !next.secure.enabled || next.secure.clientAuth !== 'required') return;
    if (current.secure.clientAuth === 'required') return;
    const online = await this.agents.onlineOver('secure');
    const lacking = new Set(await this.localCa.agentsWithoutValidCertificate(online.map((a) => a.id)));
    const stranded = online.filter((a) => lacking.has(a.id));
    if (stranded.length === 0) return;
    // Agents already on secure+mtls hold one by definition; those on secure may hold one issued over
    // their session (ADR 0031) and are then not stranded: they reconnect with it when closed.
    const connected = online.length + (await this.agents.onlineOver('secure+mtls')).length;
    const holding = connected - stranded.length;
    const shown = stranded.slice(0, STRANDED_NAMES_SHOWN).map((a) => a.id);
    const more = stranded.length > shown.length ? `, … (first ${STRANDED_NAMES_SHOWN})` : '';
    throw new DomainError(
      'settings_would_strand_agents',
      `${holding} of ${connected} agent(s) connected over TLS hold a valid client certificate; ${stranded.length} would be refused at the handshake: ${shown.join(', ')}${more}. Let them get one first: set "Client certificates" to optional (agents that report "${CLIENT_CERT_IN_SESSION}" get one over their session, others at their next connection), or apply anyway with "Apply anyway and cut them off"`,
      { agents: stranded, connected, holdingCertificate: holding },
    );
  }

  /** Disabling or narrowing plain cuts off agents connected over it from other machines (docs/design.md §3). */
  private async refuseStranding(
    current: WebSocketSettings,
    next: WebSocketSettings,
    force: boolean,
  ): Promise<void> {
    const before = effectivePlainBinding(current);
    const after = effectivePlainBinding(next);
    if (force || !plainChangeMayStrand(before, after)) return;
    // Each agent is judged on what its own node listens on: a per-node port stays put (ADR 34).
    const stranded = agentsStrandedByPlainChange(
      before,
      after,
      await this.agents.onlineOverPlain(),
      plainPortsOf(await this.nodes.list()),
    );
    if (stranded.length === 0) return;
    throw new DomainError(
      'settings_would_strand_agents',
      `${stranded.length} agent(s) are connected over plain and would be cut off; keep the current settings, or apply anyway with "Apply anyway and cut them off"`,
      { agents: stranded },
    );
  }
}
