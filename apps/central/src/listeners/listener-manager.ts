import { Inject, Injectable, Logger, type OnModuleDestroy } from '@nestjs/common';
import { type IncomingMessage } from 'node:http';
import { type Server as HttpsServer } from 'node:https';
import { type SecureContextOptions } from 'node:tls';
import { CSR_HEADER, CloseCode, decodeCsrHeader, type Transport } from '../../../../libs/protocol/index.js';
import { AgentAuthenticator } from '../agents/agent-authenticator.js';
import { AgentSessions } from '../agents/agent-sessions.js';
import { AuditService } from '../audit/audit.service.js';
import { DomainError } from '../common/domain-error.js';
import { type BoundListener, type ListenerFailure } from '../cluster/nodes.repository.js';
import { CENTRAL_CONFIG, type CentralConfig } from '../config/central-config.js';
import { CertificateRevocations } from '../local-ca/certificate-revocations.js';
import { type ClientAuthMode } from '../local-ca/client-certificate.check.js';
import { InSessionCertificates } from '../local-ca/in-session-certificates.js';
import { LocalCaService } from '../local-ca/local-ca.service.js';
import { ProfileDownloadHandler } from '../profiles/profile-download.handler.js';
import { effectivePlainBinding, type WebSocketSettings } from './listener-settings.js';
import {
  AgentListener,
  type ListenerGuard,
  type ListenerKind,
  type UpgradeDecision,
  type VerifiedPeer,
} from './agent-listener.js';
import { ClientCertificateGate } from './client-certificate-gate.js';
import { HelloAdmission, retryAfterSeconds } from './hello-admission.js';
import { listenerGuard } from './listener-guard.js';
import { DATABASE_POOL } from '../database/database.module.js';
import { type PoolLike } from '../database/database-pool.js';
import { type RefusalReason } from './refusal-log.js';
import { PORT_VARIABLE, boundListener } from './bound-listener.js';
import { SecureListenerContext } from './tls-listener-context.js';
import { TlsTicketKeys } from './tls-ticket-keys.js';

export interface TlsIdentity {
  id: string;
  chainPem: string;
  keyPem: string;
}

interface DesiredListener {
  kind: ListenerKind;
  address: string;
  port: number;
  signature: string;
}

/**
 * Owns this node's agent listeners and moves them live when the settings change: the new
 * listener is bound before the old one closes (same port: close, bind, and rebind the old one
 * if that fails), so a failed change leaves what was running.
 */
@Injectable()
export class ListenerManager implements OnModuleDestroy {
  private readonly logger = new Logger('listeners');
  private readonly running = new Map<ListenerKind, AgentListener>();
  /** Listeners the settings ask for that could not be bound, until a later apply binds or drops them. */
  private readonly failed = new Map<ListenerKind, ListenerFailure>();
  private identity: TlsIdentity | undefined;
  private minTlsVersion: 'TLSv1.2' | 'TLSv1.3' = 'TLSv1.2';
  private clientAuth: ClientAuthMode = 'none';
  /** The local CA, the only issuer trusted for client certificates; loaded once mutual TLS is on. */
  private clientCaPem: string | undefined;
  /** Builds the secure listener's TLS context with the installation's ticket keys (ADR 53). */
  private readonly tls: SecureListenerContext;
  private readonly gate: ClientCertificateGate;
  private queue: Promise<unknown> = Promise.resolve();
  private readonly admission: HelloAdmission;
  private readonly guard: ListenerGuard;
  /** Ports of this node that replace the settings' (ADR 34); the settings' ports, for the listing. */
  private readonly portOverrides: CentralConfig['agentPorts'];
  private readonly settingsPorts: Partial<Record<ListenerKind, number>> = {};

  constructor(
    private readonly authenticator: AgentAuthenticator,
    private readonly sessions: AgentSessions,
    private readonly localCa: LocalCaService,
    revocations: CertificateRevocations,
    audit: AuditService,
    private readonly profileDownloads: ProfileDownloadHandler,
    private readonly inSessionCertificates: InSessionCertificates,
    @Inject(CENTRAL_CONFIG) config: CentralConfig,
    @Inject(DATABASE_POOL) pool: PoolLike | undefined,
    tickets: TlsTicketKeys,
  ) {
    this.tls = new SecureListenerContext(tickets, this.logger);
    tickets.onChange((keys) => void this.serialize(() => Promise.resolve(this.useTicketKeys(keys))));
    this.admission = new HelloAdmission(config.admission);
    this.portOverrides = config.agentPorts;
    this.guard = listenerGuard(config.maxAgentConnections, this.admission, pool);
    const budget = this.guard.budget;
    this.logger.log(
      `agent connections: at most ${config.admission.inProgress} upgrades and hellos at once` +
        (budget.budget === undefined ? '' : `, ${budget.budget} connections held (descriptor budget)`),
    );
    this.gate = new ClientCertificateGate(
      () => this.clientAuth,
      (serial) => revocations.isRevoked(serial),
      audit,
    );
  }

  /** Applies the settings; throws DomainError(LISTENER_FAILED) and keeps the previous listeners on failure. */
  apply(settings: WebSocketSettings, identity: TlsIdentity | undefined): Promise<void> {
    return this.serialize(() => this.applyNow(settings, identity));
  }

  /** Swaps the certificate of the running secure listener in place: open sessions stay up. */
  swapCertificate(identity: TlsIdentity): Promise<void> {
    return this.serialize(async () => {
      this.identity = identity;
      const secure = this.running.get('secure');
      if (!secure) return;
      await this.tls.loadKeys(identity); // new keys for a new chain: no session resumes across it
      (secure.server as HttpsServer).setSecureContext(this.secureContext(identity));
      this.logger.log(`secure listener now presents certificate ${identity.id}`);
    });
  }

  bound(): BoundListener[] {
    return [...this.running.values()].map((l) =>
      boundListener(l, this.settingsPorts[l.kind], this.portOverrides[l.kind] !== undefined),
    );
  }

  failures(): ListenerFailure[] {
    return [...this.failed.values()];
  }

  /** Early refusals of agent connections since start, by reason (metrics). */
  refusals(): Readonly<Record<RefusalReason, number>> {
    return this.guard.refusals.counts();
  }

  /** Agent sockets open in this process, and how many it may hold (undefined: no budget found). */
  agentSockets(): { open: number; budget: number | undefined } {
    return { open: this.guard.budget.openSockets, budget: this.guard.budget.budget };
  }

  async onModuleDestroy(): Promise<void> {
    this.sessions.beginShutdown();
    for (const listener of this.running.values())
      await listener.close(CloseCode.GOING_AWAY, 'central is stopping');
    this.running.clear();
  }

  private serialize<T>(work: () => Promise<T>): Promise<T> {
    const next = this.queue.then(work, work);
    this.queue = next.catch(() => undefined);
    return next;
  }

  private async applyNow(settings: WebSocketSettings, identity: TlsIdentity | undefined): Promise<void> {
    if (identity) this.identity = identity;
    this.minTlsVersion = settings.secure.minTlsVersion;
    const previousClientAuth = this.clientAuth;
    if (settings.secure.clientAuth !== 'none') this.clientCaPem ??= await this.localCa.caCertificatePem();
    this.clientAuth = settings.secure.clientAuth;
    const plainSettings = effectivePlainBinding(settings);
    this.settingsPorts.plain = plainSettings?.port;
    this.settingsPorts.secure = settings.secure.port;
    // A per-node port replaces the cluster-wide one: nodes sharing a host each bind their own (ADR 34).
    const plain = plainSettings && { ...plainSettings, port: this.portOverrides.plain ?? plainSettings.port };
    const securePort = this.portOverrides.secure ?? settings.secure.port;
    const desired: Record<ListenerKind, DesiredListener | undefined> = {
      plain: plain && { kind: 'plain', ...plain, signature: `${plain.address}:${plain.port}` },
      secure: settings.secure.enabled
        ? {
            kind: 'secure',
            address: settings.secure.bindAddress,
            port: securePort,
            signature: `${settings.secure.bindAddress}:${securePort}:${settings.secure.minTlsVersion}`,
          }
        : undefined,
    };
    // A failure stays listed only while the settings still ask for that listener and it is not bound as asked
    // (a refused change is followed by re-applying the previous settings, which clears it).
    for (const kind of ['plain', 'secure'] as const) {
      const want = desired[kind];
      if (!want || this.running.get(kind)?.signature === want.signature) this.failed.delete(kind);
    }
    if (desired.secure && !this.identity) {
      const reason = 'secure listener needs an active server certificate';
      this.recordFailure(desired.secure, reason);
      throw new DomainError('listener_bind_failed', reason);
    }
    if (desired.secure && this.identity) await this.tls.loadKeys(this.identity);
    // Closing listeners first frees ports another listener may be moving to (plain ↔ secure port swap).
    for (const kind of ['plain', 'secure'] as const) {
      if (!desired[kind] && this.running.has(kind)) await this.stop(kind);
    }
    for (const kind of ['plain', 'secure'] as const) {
      const want = desired[kind];
      if (want && this.running.get(kind)?.signature !== want.signature) await this.move(want);
    }
    if (this.clientAuth !== previousClientAuth) this.applyClientAuth(previousClientAuth);
    // Connected agents get their certificate over their session, without reconnecting (ADR 0031).
    this.inSessionCertificates.clientAuthChanged(this.clientAuth);
  }

  /** A clientAuth change needs no rebind: the secure listener asks (or stops asking) from its next handshake. */
  private applyClientAuth(previous: ClientAuthMode): void {
    const secure = this.running.get('secure');
    if (secure && this.identity) {
      secure.setClientAuth(
        this.clientAuth !== 'none',
        this.clientAuth === 'required',
        this.secureContext(this.identity),
      );
    }
    this.logger.log(`client certificates: ${this.clientAuth} (was ${previous})`);
    if (this.clientAuth === 'required') {
      // Sessions that never showed a certificate would otherwise outlive the rule; they reconnect with one.
      const closed = this.sessions.closeTransport(
        'secure',
        CloseCode.GOING_AWAY,
        'mutual TLS is now required; reconnect with a client certificate',
      );
      if (closed > 0) this.logger.log(`closed ${closed} secure session(s) without a client certificate`);
    }
  }

  private async move(want: DesiredListener): Promise<void> {
    const old = this.running.get(want.kind);
    const next = this.create(want);
    const samePort = old && old.port === want.port;
    if (samePort) await old.close(CloseCode.GOING_AWAY, 'listener is moving');
    try {
      await next.listen();
    } catch (error) {
      if (samePort) {
        // Put the previous listener back; if even that fails the listener is down and says so.
        const restored = this.create({
          kind: old.kind,
          address: old.address,
          port: old.port,
          signature: old.signature,
        });
        await restored.listen().then(
          () => this.running.set(old.kind, restored),
          () => this.running.delete(old.kind),
        );
      }
      // AgentListener.listen words it already ("port 8787 on 0.0.0.0 is already in use by another process").
      const inUse = (error as Error).message.includes('already in use');
      const hint =
        inUse && this.portOverrides[want.kind] === undefined
          ? ` (another central node on this host? give each node its own port with ${PORT_VARIABLE[want.kind]})`
          : '';
      this.recordFailure(want, `${(error as Error).message}${hint}`);
      throw new DomainError(
        'listener_bind_failed',
        `${want.kind} listener: ${(error as Error).message}${hint}`,
      );
    }
    this.failed.delete(want.kind);
    this.running.set(want.kind, next);
    if (old && !samePort) await old.close(CloseCode.GOING_AWAY, 'listener moved');
    const override =
      this.portOverrides[want.kind] === undefined ? '' : ` (this node's ${PORT_VARIABLE[want.kind]})`;
    this.logger.log(
      `${want.kind} agent listener on ${want.address}:${want.port}${want.kind === 'secure' ? ' (TLS)' : ''}${override}`,
    );
  }

  private recordFailure(want: DesiredListener, reason: string): void {
    const since = this.failed.get(want.kind)?.since ?? new Date().toISOString();
    this.failed.set(want.kind, { kind: want.kind, address: want.address, port: want.port, reason, since });
  }

  private async stop(kind: ListenerKind): Promise<void> {
    const listener = this.running.get(kind);
    if (!listener) return;
    this.running.delete(kind);
    await listener.close(CloseCode.GOING_AWAY, 'listener closed');
    this.logger.log(`${kind} agent listener closed`);
  }

  private create(want: DesiredListener): AgentListener {
    const tls =
      want.kind === 'secure' && this.identity
        ? this.tls.serverOptions(this.identity, this.minTlsVersion, this.clientAuth, this.clientCaPem)
        : undefined;
    return new AgentListener(
      want.kind,
      want.address,
      want.port,
      (req, transport, address, peer) => this.authorize(req, transport, address, peer),
      tls,
      want.signature,
      tls ? this.gate : undefined,
      (req, res, certificateAgentId) => this.profileDownloads.handle(req, res, certificateAgentId),
      this.guard,
    );
  }

  /** The keys were rotated (here or on another node): the secure listener issues and accepts the new ones'. */
  private useTicketKeys(keys: Buffer): void {
    this.tls.useKeys(keys);
    const secure = this.running.get('secure');
    if (secure && this.identity)
      (secure.server as HttpsServer).setSecureContext(this.secureContext(this.identity));
  }

  private secureContext(identity: TlsIdentity): SecureContextOptions {
    return this.tls.contextOptions(identity, this.minTlsVersion, this.clientAuth, this.clientCaPem);
  }

  private async authorize(
    req: IncomingMessage,
    transport: Transport,
    address: string,
    peer: VerifiedPeer | undefined,
  ): Promise<UpgradeDecision> {
    // Admission first: a refused upgrade costs no credential check and no database work.
    const permit = await this.admission.enter();
    if (!permit) {
      this.guard.refusals.refused(
        'busy',
        `${this.admission.inProgress} in progress, ${this.admission.waiting} waiting`,
      );
      return {
        ok: false,
        status: 503,
        reason: 'central is busy with other agents; try again after Retry-After',
        retryAfterSeconds: retryAfterSeconds(1, 5),
      };
    }
    // The place is held until the welcome (see accept) or until the connection closes, whichever is first.
    if (req.socket.destroyed) permit.release();
    else req.socket.once('close', () => permit.release());
    try {
      return await this.decide(req, transport, address, peer, () => permit.release());
    } catch (error) {
      permit.release();
      throw error;
    }
  }

  private async decide(
    req: IncomingMessage,
    transport: Transport,
    address: string,
    peer: VerifiedPeer | undefined,
    admitted: () => void,
  ): Promise<UpgradeDecision> {
    const result = await this.authenticator.authenticate(req, address);
    if (!result.ok) {
      admitted();
      return { ok: false, status: result.status, reason: result.reason };
    }
    // The certificate and the credential must name the same agent: one cannot lend the other.
    if (peer && peer.agentId !== result.agentId) {
      admitted();
      return {
        ok: false,
        status: 403,
        reason: `client certificate is for agent ${peer.agentId}, not ${result.agentId}`,
      };
    }
    const certificateChainPem = await this.certificateFor(req, result.agentId, address, {
      enrolling: result.issuedCredential !== undefined,
      overMutualTls: peer !== undefined,
    });
    return {
      ok: true,
      accept: (socket) =>
        this.sessions.accept(
          socket,
          result.agentId,
          transport,
          { remote: address, listener: req.socket.localAddress ?? '', via: result.via },
          { hash: result.credentialHash, issued: result.issuedCredential, certificateChainPem },
          admitted,
        ),
    };
  }

  /** Signs the CSR sent at the upgrade, if any, while mutual TLS is on (ADR 0008). */
  private async certificateFor(
    req: IncomingMessage,
    agentId: string,
    address: string,
    how: { enrolling: boolean; overMutualTls: boolean },
  ): Promise<string | undefined> {
    const header = req.headers[CSR_HEADER];
    if (typeof header !== 'string' || this.clientAuth === 'none') return undefined;
    const csrPem = decodeCsrHeader(header);
    if (!csrPem) {
      this.logger.warn(`agent ${agentId} (${address}) sent an unreadable ${CSR_HEADER} header; ignored`);
      return undefined;
    }
    return this.localCa.issueAtUpgrade({ agentId, csrPem, address, ...how });
  }
}
