import { Inject, Injectable, Logger, type OnModuleDestroy } from '@nestjs/common';
import { type WebSocket } from 'ws';
import {
  CloseCode,
  type CentralFrame,
  type Hello,
  type ProfileStatus,
  type Transport,
} from '../../../../libs/protocol/index.js';
import { NodeIdentity } from '../cluster/node-identity.js';
import { sameHash } from '../crypto/secrets.js';
import { EventBus } from '../common/event-bus.js';
import { CENTRAL_CONFIG, type CentralConfig } from '../config/central-config.js';
import { AgentSession, type SessionHooks, type WelcomeProfile } from './agent-session.js';
import { AgentsRepository } from './agents.repository.js';
import { NO_PROFILE_HOOKS, type ProfileSessionHooks } from './profile-session.hooks.js';
import { SessionStatusWriter } from './session-status.writer.js';

/** The agent sessions held by this node, by agent id. */
@Injectable()
export class AgentSessions implements SessionHooks, OnModuleDestroy {
  private readonly logger = new Logger('agents');
  private readonly sessions = new Map<string, AgentSession>();
  private profileHooks: ProfileSessionHooks = NO_PROFILE_HOOKS;
  private stopping = false;
  /** Called once the session is welcomed: frees its place in the admission control (ADR 26). */
  private readonly admissions = new WeakMap<AgentSession, () => void>();

  constructor(
    private readonly repo: AgentsRepository,
    private readonly status: SessionStatusWriter,
    private readonly node: NodeIdentity,
    @Inject(CENTRAL_CONFIG) private readonly config: CentralConfig,
    events: EventBus,
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

  /** The rollouts domain registers its profile delivery here (it depends on agents, not the reverse). */
  useProfileHooks(hooks: ProfileSessionHooks): void {
    this.profileHooks = hooks;
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
      transport: session.context.transport,
      via: session.context.via ?? null,
      nodeId: this.node.id,
      sessionId: session.id,
      remoteAddress: session.context.remoteAddress,
      listenerAddress: session.context.listenerAddress,
    });
    // An agent cannot tell whether central asked for its certificate: secure and secure+mtls agree.
    // Behind a connector the device speaks plain and central sees TLS: that is the point, not a mismatch.
    if (!session.context.via && hello.transport.split('+')[0] !== session.context.transport.split('+')[0]) {
      this.logger.warn(
        `agent ${session.agentId} believes it uses ${hello.transport} but is on ${session.context.transport}`,
      );
    }
    this.logger.log(
      `agent ${session.agentId} online via ${session.context.transport}${session.context.via ? ` through ${session.context.via}` : ''} from ${session.context.remoteAddress}`,
    );
    return this.profileHooks.onHello(session, hello);
  }

  onWelcomed(session: AgentSession): void {
    this.admissions.get(session)?.();
    this.profileHooks.onWelcomed(session);
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

  async onEnd(session: AgentSession, status: 'offline' | 'disconnected'): Promise<void> {
    if (this.sessions.get(session.agentId) === session) this.sessions.delete(session.agentId);
    this.profileHooks.onEnd(session);
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
    // A hello batch committed after the bulk update would leave its agents "online" on a stopped node.
    await this.status.drain().catch(() => undefined);
    await this.repo.markNodeSessionsDisconnected(this.node.id, 'now').catch(() => undefined);
  }
}
