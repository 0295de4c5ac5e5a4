import { Inject, Injectable, Logger, type OnModuleDestroy } from '@nestjs/common';
import { type WebSocket } from 'ws';
import {
  CloseCode,
  type AgentEvent,
  type AgentUpgradeStatus,
  type CentralFrame,
  type CertificateCsr,
  type DiagnosticsChunk,
  type DiagnosticsResult,
  type Hello,
  type PackageFetch,
  type ProfileFetch,
  type ProfileStatus,
  type Transport,
  type TrustAnchor,
} from '../../../../libs/protocol/index.js';
import { AuditService } from '../audit/audit.service.js';
import { NodeIdentity } from '../cluster/node-identity.js';
import { sameHash } from '../crypto/secrets.js';
import { EventBus } from '../common/event-bus.js';
import { CENTRAL_CONFIG, type CentralConfig } from '../config/central-config.js';
import {
  AgentSession,
  type DeliveryResult,
  type SessionHooks,
  type WelcomeProfile,
} from './agent-session.js';
import { AgentEventAudit } from './agent-event-audit.js';
import { AgentsRepository } from './agents.repository.js';
import { NO_CERTIFICATE_HOOKS, type CertificateSessionHooks } from './certificate-session.hooks.js';
import { NO_DIAGNOSTICS_HOOKS, type DiagnosticsSessionHooks } from './diagnostics-session.hooks.js';
import { NO_PROFILE_HOOKS, type ProfileSessionHooks } from './profile-session.hooks.js';
import { TrustAnchorsRecorder } from './trust-anchors.recorder.js';
import { SessionLog } from './session-log.js';
import { SessionStatusWriter } from './session-status.writer.js';

/** The agent sessions held by this node, by agent id. */
@Injectable()
export class AgentSessions implements SessionHooks, OnModuleDestroy {
  private readonly logger = new Logger('agents');
  private readonly sessions = new Map<string, AgentSession>();
  /** Session starts and ends: one by one for a few agents, summarized in a storm (ADR 36). */
  private readonly sessionLog = new SessionLog(this.logger, () => this.sessions.size);
  private profileHooks: ProfileSessionHooks = NO_PROFILE_HOOKS;
  private certificateHooks: CertificateSessionHooks = NO_CERTIFICATE_HOOKS;
  private diagnosticsHooks: DiagnosticsSessionHooks = NO_DIAGNOSTICS_HOOKS;
  private profileFetch: (session: AgentSession, fetch: ProfileFetch) => Promise<void> = (session, fetch) => {
    session.deliver({
      type: 'profile.chunk',
      sha256: fetch.sha256,
      offset: fetch.offset,
      error: 'this central node does not serve profiles over the session yet',
    });
    return Promise.resolve();
  };
  /** Agent upgrades (ADR 45), registered by the rollouts domain; none until then. */
  private upgradeFrames: (session: AgentSession, frame: AgentUpgradeStatus | PackageFetch) => Promise<void> =
    (session, frame) => {
      if (frame.type === 'package.fetch')
        session.deliver({
          type: 'package.chunk',
          sha256: frame.sha256,
          offset: frame.offset,
          error: 'this central node does not serve agent packages',
        });
      return Promise.resolve();
    };
  private stopping = false;
  /** Refusals agents report (`agent.event`, ADR 51), audited with a per-agent limit. */
  private readonly agentEvents = new AgentEventAudit({
    write: (e) => {
      this.logger.warn(
        `agent ${e.agentId}: ${e.action}: ${String(e.details.reason)} (${String(e.details.count)}×)`,
      );
      void this.audit.record(
        { username: `agent:${e.agentId}`, address: e.address },
        e.action,
        'refused',
        e.agentId,
        e.details,
      );
    },
  });
  /** Called once the session is welcomed: frees its place in the admission control (ADR 26). */
  private readonly admissions = new WeakMap<AgentSession, () => void>();

  constructor(
    private readonly repo: AgentsRepository,
    private readonly status: SessionStatusWriter,
    private readonly node: NodeIdentity,
    @Inject(CENTRAL_CONFIG) private readonly config: CentralConfig,
    events: EventBus,
    private readonly audit: AuditService,
    private readonly trust: TrustAnchorsRecorder,
  ) {
    events.on('agent.revoked', ({ agentId }) =>
      this.sessions.get(agentId)?.close(CloseCode.AGENT_REVOKED, 'agent revoked'),
    );
    // Only a session that rests on the revoked certificate ends; the agent's credential still applies.
    events.on('agent.certificate.revoked', ({ agentId }) => {
      const session = this.sessions.get(agentId);
      if (session?.context.transport === 'secure+mtls')
        session.close(CloseCode.CERTIFICATE_REVOKED, 'client certificate revoked');
    });
  }

  accept(
    socket: WebSocket,
    agentId: string,
    transport: Transport,
    addresses: { remote: string; listener: string; via?: string },
    credential: { hash: string; issued?: string; certificateChainPem?: string },
    admitted?: () => void,
  ): AgentSession {
    const session = new AgentSession(
      socket,
      {
        agentId,
        transport,
        // Only TLS sessions: a connector never speaks plain to central, so a plain claim is not one.
        via: transport === 'plain' ? undefined : addresses.via,
        remoteAddress: addresses.remote,
        listenerAddress: addresses.listener,
        issuedCredential: credential.issued,
        credentialHash: credential.hash,
        issuedCertificateChainPem: credential.certificateChainPem,
        nodeId: this.node.id,
        heartbeatIntervalMs: this.config.heartbeatIntervalMs,
      },
      this,
    );
    if (admitted) this.admissions.set(session, admitted);
    return session;
  }

  /** The profiles domain serves archives over the session (`profile.fetch`, ADR 24) through this. */
  useProfileFetch(handler: (session: AgentSession, fetch: ProfileFetch) => Promise<void>): void {
    this.profileFetch = handler;
  }

  /** The rollouts domain registers agent upgrades here (`agent.upgrade.status`, `package.fetch`; ADR 45). */
  useUpgradeFrames(
    handler: (session: AgentSession, frame: AgentUpgradeStatus | PackageFetch) => Promise<void>,
  ): void {
    this.upgradeFrames = handler;
  }

  /** The rollouts domain registers its profile delivery here (it depends on agents, not the reverse). */
  useProfileHooks(hooks: ProfileSessionHooks): void {
    this.profileHooks = hooks;
  }

  /** The local CA registers its in-session certificate offers here (ADR 0031), like the profile hooks. */
  useCertificateHooks(hooks: CertificateSessionHooks): void {
    this.certificateHooks = hooks;
  }

  /** The diagnostics domain receives uploaded bundles here (ADR 44), like the certificate hooks. */
  useDiagnosticsHooks(hooks: DiagnosticsSessionHooks): void {
    this.diagnosticsHooks = hooks;
  }

  onDiagnosticsFrame(session: AgentSession, frame: DiagnosticsChunk | DiagnosticsResult): Promise<void> {
    return this.diagnosticsHooks.onFrame(session, frame);
  }

  onCertificateRequest(session: AgentSession, request: CertificateCsr): Promise<void> {
    return this.certificateHooks.onRequest(session, request);
  }

  /** This node's welcomed, open sessions (in-session certificate offers walk them). */
  *openSessions(): IterableIterator<AgentSession> {
    for (const session of this.sessions.values()) if (session.open) yield session;
  }

  async onHello(session: AgentSession, hello: Hello): Promise<WelcomeProfile> {
    const previous = this.sessions.get(session.agentId);
    this.sessions.set(session.agentId, session);
    if (previous && previous !== session)
      previous.close(CloseCode.REPLACED, 'replaced by a newer connection');
    // Batched with other hellos; welcome waits for the commit, so the API never shows more online than welcomed.
    await this.status.online(session.agentId, {
      agentVersion: hello.agentVersion,
      capabilities: hello.capabilities,
      profileSha256: hello.profileSha256,
      stagedProfileSha256: hello.stagedProfileSha256 ?? null,
      reportedGroups: hello.groups ? [...new Set(hello.groups)].sort() : null,
      transport: session.context.transport,
      via: session.context.via ?? null,
      nodeId: this.node.id,
      sessionId: session.id,
      remoteAddress: session.context.remoteAddress,
      listenerAddress: session.context.listenerAddress,
    });
    // Compared in memory, written (batched) only when it changed: no extra round trip per hello.
    this.trust.record(session.agentId, hello.trustAnchors, session.context.transport !== 'plain');
    // An agent cannot tell whether central asked for its certificate: secure and secure+mtls agree.
    // Behind a connector the device speaks plain and central sees TLS: that is the point, not a mismatch.
    if (!session.context.via && hello.transport.split('+')[0] !== session.context.transport.split('+')[0]) {
      this.logger.warn(
        `agent ${session.agentId} believes it uses ${hello.transport} but is on ${session.context.transport}`,
      );
    }
    this.sessionLog.event(
      `online via ${session.context.transport}`,
      () =>
        `agent ${session.agentId} online via ${session.context.transport}${session.context.via ? ` through ${session.context.via}` : ''} from ${session.context.remoteAddress}`,
    );
    return this.profileHooks.onHello(session, hello);
  }

  onTrustReport(session: AgentSession, anchors: TrustAnchor[]): void {
    this.logger.log(`agent ${session.agentId} reported ${anchors.length} trust anchor(s)`);
    this.trust.record(session.agentId, anchors, session.context.transport !== 'plain');
  }

  onProfileFetch(session: AgentSession, fetch: ProfileFetch): Promise<void> {
    return this.profileFetch(session, fetch);
  }

  onUpgradeFrame(session: AgentSession, frame: AgentUpgradeStatus | PackageFetch): Promise<void> {
    return this.upgradeFrames(session, frame);
  }

  /** Logged and audited as they are written, not per frame: an agent cannot flood the log either. */
  onAgentEvent(session: AgentSession, event: AgentEvent): void {
    this.agentEvents.record(session.agentId, session.context.remoteAddress, event);
  }

  onWelcomed(session: AgentSession): void {
    this.admissions.get(session)?.();
    this.profileHooks.onWelcomed(session);
    this.certificateHooks.onWelcomed(session);
  }

  onProfileStatus(session: AgentSession, status: ProfileStatus): Promise<void> {
    return this.profileHooks.onStatus(session, status);
  }

  /** True when this node holds the agent's current session (the node that sends its frames). */
  holds(agentId: string): boolean {
    return this.sessions.get(agentId)?.open ?? false;
  }

  /** True when the agent's open session on this node was opened with the credential of this hash. */
  heldWithCredential(agentId: string, credentialHash: string): boolean {
    const session = this.sessions.get(agentId);
    return session?.open === true && sameHash(session.context.credentialHash, credentialHash);
  }

  /** The agent's session on this node, if it has one. */
  session(agentId: string): AgentSession | undefined {
    return this.sessions.get(agentId);
  }

  /** Sends a frame to an agent held by this node; false when it is not (the holding node sends it). */
  send(agentId: string, frame: CentralFrame): boolean {
    return this.sessions.get(agentId)?.deliver(frame) ?? false;
  }

  /** Like `send`, with the reason when the frame was refused by the check before sending (never sent). */
  tryDeliver(agentId: string, frame: CentralFrame): DeliveryResult {
    return this.sessions.get(agentId)?.tryDeliver(frame) ?? { sent: false };
  }

  onPolicyClose(session: AgentSession, reason: string): void {
    this.logger.warn(
      `agent ${session.agentId} (${session.context.remoteAddress}) closed with 1008: ${reason}`,
    );
    void this.audit.record(
      { username: `agent:${session.agentId}`, address: session.context.remoteAddress },
      'agent session closed',
      'refused',
      session.agentId,
      { closeCode: CloseCode.POLICY_VIOLATION, reason, sessionId: session.id, nodeId: this.node.id },
    );
  }

  async onEnd(session: AgentSession, status: 'offline' | 'disconnected', code?: number): Promise<void> {
    if (this.sessions.get(session.agentId) === session) this.sessions.delete(session.agentId);
    this.sessionLog.event(status, () => `agent ${session.agentId} ${status} (close ${code ?? '?'})`);
    this.profileHooks.onEnd(session);
    this.certificateHooks.onEnd(session);
    this.diagnosticsHooks.onEnd(session);
    // While stopping, one bulk update (onModuleDestroy) marks them all: thousands of single updates
    // racing the closing database pool would only fail.
    if (this.stopping) return;
    await this.status.ended(session.agentId, session.id, status);
  }

  /** Central is stopping: sessions that end from now on are recorded by the bulk update. */
  beginShutdown(): void {
    this.stopping = true;
  }

  /** Closes this node's sessions on `transport` (mutual TLS became required: plain-TLS sessions must go). */
  closeTransport(transport: Transport, code: number, reason: string): number {
    let closed = 0;
    for (const session of this.sessions.values()) {
      if (session.context.transport !== transport) continue;
      session.close(code, reason);
      closed++;
    }
    return closed;
  }

  count(): number {
    return this.sessions.size;
  }

  /** Marks this node's agents disconnected when the node stops (they will reconnect elsewhere or later). */
  async onModuleDestroy(): Promise<void> {
    this.stopping = true;
    this.sessionLog.flush();
    this.agentEvents.flushAll();
    // A hello batch committed after the bulk update would leave its agents "online" on a stopped node.
    await this.status.drain().catch(() => undefined);
    await this.repo.markNodeSessionsDisconnected(this.node.id, 'now').catch(() => undefined);
  }
}
