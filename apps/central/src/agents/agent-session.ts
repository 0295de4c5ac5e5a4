import { Logger } from '@nestjs/common';
import { randomUUID } from 'node:crypto';
import { type WebSocket, type RawData } from 'ws';
import {
  AGENT_EVENT_FRAME,
  AGENT_EVENTS_CAPABILITY,
  CloseCode,
  PROTOCOL_VERSION,
  checkCentralFrame,
  parseAgentFrame,
  type AgentEvent,
  type AgentFrame,
  type AgentUpgradeStatus,
  type CentralFrame,
  type CertificateCsr,
  type DiagnosticsChunk,
  type DiagnosticsResult,
  type Hello,
  type PackageFetch,
  type ProfileFetch,
  type ProfileStatus,
  type TrustAnchor,
  type Transport,
  type Welcome,
} from '../../../../libs/protocol/index.js';
import { heartbeatWheel } from './heartbeat-wheel.js';
import { HelloDeadlines } from './hello-deadlines.js';

/** What `welcome` says about profiles: the desired revision and central's profile-signing key. */
export type WelcomeProfile = Pick<Welcome, 'desiredProfile' | 'profileSigningKey'>;

export interface SessionContext {
  agentId: string;
  transport: Transport;
  /** `connector/<name>` when the session came through a TLS connector (secure listener only). */
  via?: string;
  remoteAddress: string;
  listenerAddress: string;
  issuedCredential: string | undefined;
  /** SHA-256 of the credential the session was opened with (lets downloads skip the database). */
  credentialHash: string;
  /** Client certificate chain signed from the CSR sent at the upgrade, delivered in welcome. */
  issuedCertificateChainPem?: string;
  nodeId: string;
  heartbeatIntervalMs: number;
}

/** What a session needs from the rest of central; kept narrow so the session is testable alone. */
export interface SessionHooks {
  /** Records the session; the answer fills welcome's profile fields. */
  onHello(session: AgentSession, hello: Hello): Promise<WelcomeProfile>;
  onWelcomed(session: AgentSession): void;
  onProfileStatus(session: AgentSession, status: ProfileStatus): Promise<void>;
  /** The session ended (`code`: the WebSocket close code); logged there, summarized under load. */
  onEnd(session: AgentSession, status: 'offline' | 'disconnected', code?: number): Promise<void>;
  /** The session was closed for a policy breach of central's own (e.g. a frame flood): audit it. */
  onPolicyClose?(session: AgentSession, reason: string): void;
  /** `certificate.csr`: the answer to a certificate offer made over this session (ADR 0031). */
  onCertificateRequest?(session: AgentSession, request: CertificateCsr): Promise<void>;
  /** `trust.report`: the agent's truststore changed during the session. */
  onTrustReport?(session: AgentSession, anchors: TrustAnchor[]): void;
  /** `profile.fetch`: a chunk of a profile archive, over this session (ADR 24). */
  onProfileFetch?(session: AgentSession, fetch: ProfileFetch): Promise<void>;
  /** `diagnostics.chunk` / `diagnostics.result`: a diagnostics bundle uploaded over this session (ADR 44). */
  onDiagnosticsFrame?(session: AgentSession, frame: DiagnosticsChunk | DiagnosticsResult): Promise<void>;
  /** `agent.upgrade.status` and `package.fetch`: agent upgrades (ADR 45). */
  onUpgradeFrame?(session: AgentSession, frame: AgentUpgradeStatus | PackageFetch): Promise<void>;
  /** `agent.event`: a refusal the agent made on its machine, for the audit log (ADR 51). */
  onAgentEvent?(session: AgentSession, event: AgentEvent): void;
}

/** What became of a frame handed to `tryDeliver`. */
export type DeliveryResult =
  | { sent: true }
  /** The session is gone (or not welcomed yet): the holding node, or a later session, sends it. */
  | { sent: false; reason?: undefined }
  /** An agent would refuse the frame (schema, limits): it was not sent, and will not be. */
  | { sent: false; reason: string };

/**
 * Frames an agent may send: a sustained rate and a burst, far above what a real agent sends (a hello,
 * a profile.status per step of a delivery, a command result now and then: a few frames a minute; a
 * burst of a few dozen when a queue of profile answers is flushed after a reconnect). Only a broken or
 * hostile client goes past them, and it costs central a parse and often a database write per frame.
 */
export const AGENT_FRAMES_PER_SECOND = 50;
export const AGENT_FRAME_BURST = 200;
const HELLO_TIMEOUT_MS = 10_000;
const MISSED_PONGS_ALLOWED = 2;
/** One for all sessions: a Logger per session was an object per connection for nothing (ADR 36). */
const logger = new Logger('agent-session');
/** One timer for the hello of every new session, not one per connection (ADR 54). */
export const helloDeadlines = new HelloDeadlines(HELLO_TIMEOUT_MS);

/**
 * One agent connection: waits for `hello`, answers `welcome`, pings on the heartbeat interval,
 * and closes with a precise code on any bad frame. It never throws out of a socket callback.
 */
export class AgentSession {
  readonly id = randomUUID();
  private helloed = false;
  private welcomed = false;
  private ended = false;
  private goodbye = false;
  private missedPongs = 0;
  private awaitingPong = false;
  private beating = false;
  /** What the agent reported it can do in its hello (e.g. client certificates in-session). */
  capabilities: readonly string[] = [];
  /** The hello being recorded: the session's end is recorded only after it (see `end`). */
  private greeting: Promise<void> | undefined;
  /** Token bucket of the frame rate limit (AGENT_FRAMES_PER_SECOND, AGENT_FRAME_BURST). */
  private frameTokens = AGENT_FRAME_BURST;
  private tokensAt = performance.now();
  private flooded = false;

  constructor(
    readonly socket: WebSocket,
    readonly context: SessionContext,
    private readonly hooks: SessionHooks,
  ) {
    socket.on('error', (error: Error & { code?: string }) => {
      // ws closes with 1009 itself for oversized frames; here we only make it visible.
      logger.warn(
        `agent ${context.agentId} (${context.remoteAddress}): ${error.code ?? 'socket error'}: ${error.message}`,
      );
    });
    socket.on('message', (data, isBinary) => this.receive(data, isBinary));
    socket.on('pong', () => {
      this.awaitingPong = false;
      this.missedPongs = 0;
    });
    socket.on('close', (code) => void this.end(code));
    helloDeadlines.add(this);
  }

  /** Called by `helloDeadlines` when the session's time to send hello is up (and a read later). */
  helloOverdue(): void {
    if (!this.helloed) this.close(CloseCode.POLICY_VIOLATION, 'no hello within 10 s');
  }

  get agentId(): string {
    return this.context.agentId;
  }

  close(code: number, reason: string): void {
    if (this.socket.readyState === this.socket.OPEN || this.socket.readyState === this.socket.CONNECTING) {
      this.socket.close(code, reason.slice(0, 120));
      // A peer that never answers the close handshake must not keep the socket forever.
      setTimeout(() => this.socket.terminate(), 5000).unref();
    }
  }

  private receive(data: RawData, isBinary: boolean): void {
    if (this.flooded) return; // closing already: what is still buffered is not worth a parse
    if (!this.takeFrameToken()) return this.closeFlood();
    if (isBinary) return this.refuse(CloseCode.INVALID_PAYLOAD, 'binary frames are not accepted');
    const parsed = parseAgentFrame(data.toString());
    if (!parsed.ok) return this.refuse(parsed.closeCode, parsed.reason);
    void this.handle(parsed.frame).catch((error: Error) => {
      logger.error(`agent ${this.agentId}: ${error.message}`);
      this.close(CloseCode.GOING_AWAY, 'central error, reconnect later');
    });
  }

  private takeFrameToken(): boolean {
    const now = performance.now();
    this.frameTokens = Math.min(
      AGENT_FRAME_BURST,
      this.frameTokens + ((now - this.tokensAt) / 1000) * AGENT_FRAMES_PER_SECOND,
    );
    this.tokensAt = now;
    if (this.frameTokens < 1) return false;
    this.frameTokens -= 1;
    return true;
  }

  private closeFlood(): void {
    this.flooded = true;
    const reason = `more than ${AGENT_FRAME_BURST} frames at once or ${AGENT_FRAMES_PER_SECOND} frames/s sustained`;
    this.refuse(CloseCode.POLICY_VIOLATION, `frame rate limit: ${reason}`);
    this.hooks.onPolicyClose?.(this, `frame rate limit: ${reason}`);
  }

  private refuse(code: number, reason: string): void {
    logger.warn(`agent ${this.agentId} (${this.context.remoteAddress}): closing with ${code}: ${reason}`);
    this.close(code, reason);
  }

  private async handle(frame: AgentFrame): Promise<void> {
    if (!this.helloed && frame.type !== 'hello')
      return this.refuse(CloseCode.POLICY_VIOLATION, 'the first frame must be hello');
    switch (frame.type) {
      case 'hello':
        if (this.helloed) return this.refuse(CloseCode.POLICY_VIOLATION, 'hello sent twice');
        if (frame.agentId !== this.agentId) {
          return this.refuse(
            CloseCode.POLICY_VIOLATION,
            `hello.agentId ${frame.agentId} does not match the credential`,
          );
        }
        if (frame.protocolVersion > PROTOCOL_VERSION) {
          logger.log(
            `agent ${this.agentId} speaks protocol ${frame.protocolVersion}; central speaks ${PROTOCOL_VERSION}`,
          );
        }
        this.greeting = this.greet(frame);
        return this.greeting;
      case 'goodbye':
        this.goodbye = true;
        this.close(CloseCode.NORMAL, 'goodbye');
        return;
      case 'command.result':
        logger.log(`agent ${this.agentId}: command ${frame.id} ${frame.ok ? 'succeeded' : 'failed'}`);
        return;
      case 'profile.status':
        await this.hooks.onProfileStatus(this, frame);
        return;
      case 'certificate.csr':
        await this.hooks.onCertificateRequest?.(this, frame);
        return;
      case 'trust.report':
        this.hooks.onTrustReport?.(this, frame.trustAnchors);
        return;
      case 'profile.fetch':
        if (!this.welcomed) return this.refuse(CloseCode.POLICY_VIOLATION, 'profile.fetch before welcome');
        await this.hooks.onProfileFetch?.(this, frame);
        return;
      case 'diagnostics.chunk':
      case 'diagnostics.result':
        if (!this.welcomed) return this.refuse(CloseCode.POLICY_VIOLATION, `${frame.type} before welcome`);
        await this.hooks.onDiagnosticsFrame?.(this, frame);
        return;
      case 'agent.upgrade.status':
      case 'package.fetch':
        if (!this.welcomed) return this.refuse(CloseCode.POLICY_VIOLATION, `${frame.type} before welcome`);
        await this.hooks.onUpgradeFrame?.(this, frame);
        return;
      case 'agent.event':
        if (!this.welcomed) return this.refuse(CloseCode.POLICY_VIOLATION, 'agent.event before welcome');
        if (!this.acceptsEvents)
          return this.refuse(
            CloseCode.POLICY_VIOLATION,
            `agent.event without the ${AGENT_EVENTS_CAPABILITY} capability`,
          );
        this.hooks.onAgentEvent?.(this, frame);
        return;
    }
  }

  private async greet(hello: Hello): Promise<void> {
    this.helloed = true;
    this.capabilities = hello.capabilities;
    helloDeadlines.remove(this);
    const profile = await this.hooks.onHello(this, hello);
    // The agent went away while its hello was recorded: no welcome, no heartbeat for a closed socket.
    if (this.ended) return;
    this.send({
      type: 'welcome',
      agentId: this.agentId,
      nodeId: this.context.nodeId,
      heartbeatIntervalMs: this.context.heartbeatIntervalMs,
      desiredProfile: profile.desiredProfile,
      ...(profile.profileSigningKey ? { profileSigningKey: profile.profileSigningKey } : {}),
      ...(this.context.issuedCredential ? { credential: this.context.issuedCredential } : {}),
      ...(this.context.issuedCertificateChainPem
        ? { certificateChainPem: this.context.issuedCertificateChainPem }
        : {}),
      // Only to agents that said they can use it: older agents parse welcome strictly (ADR 51).
      ...(this.acceptsEvents ? { accepts: [AGENT_EVENT_FRAME] } : {}),
    });
    // Only now may profile frames follow: the agent must see welcome first.
    this.welcomed = true;
    this.startHeartbeat();
    this.hooks.onWelcomed(this);
  }

  /** This session's agent may send `agent.event` (it announced it can; central records them). */
  private get acceptsEvents(): boolean {
    return this.helloed && !!this.hooks.onAgentEvent && this.capabilities.includes(AGENT_EVENTS_CAPABILITY);
  }

  /** True once welcome went out and until the socket closes: frames sent now reach this agent's session. */
  get open(): boolean {
    return this.welcomed && !this.ended && this.socket.readyState === this.socket.OPEN;
  }

  /** Bytes queued on the socket but not yet written: senders back off while it is high. */
  get bufferedAmount(): number {
    return this.socket.bufferedAmount;
  }

  /**
   * Sends a frame already checked with checkCentralFrame: a rollout sends one identical profile.sync to
   * thousands of agents and checks it once (rollouts/delivery-frames.ts). False when the session is gone.
   */
  deliverChecked(checked: { ok: true; text: string }): boolean {
    if (!this.open) return false;
    this.socket.send(checked.text);
    return true;
  }

  /** Sends a frame from central's other domains (profile delivery); false when the session is gone. */
  deliver(frame: CentralFrame): boolean {
    return this.tryDeliver(frame).sent;
  }

  /**
   * Sends a frame if the session is open and the frame is one an agent accepts (checkCentralFrame); a
   * frame an agent would refuse is never sent, and the reason comes back for the caller to record.
   */
  tryDeliver(frame: CentralFrame): DeliveryResult {
    if (!this.open) return { sent: false };
    const checked = checkCentralFrame(frame);
    if (!checked.ok) {
      logger.error(`agent ${this.agentId}: not sending ${frame.type}: ${checked.reason}`);
      return { sent: false, reason: checked.reason };
    }
    this.socket.send(checked.text);
    return { sent: true };
  }

  /** Sends central's own frames (welcome); one that fails the check is a bug here: the agent reconnects. */
  private send(frame: CentralFrame): void {
    const checked = checkCentralFrame(frame);
    if (!checked.ok) {
      logger.error(`agent ${this.agentId}: not sending ${frame.type}: ${checked.reason}`);
      this.close(1011, 'central error, reconnect later');
      return;
    }
    this.socket.send(checked.text);
  }

  private startHeartbeat(): void {
    this.beating = true;
    heartbeatWheel(this.context.heartbeatIntervalMs).add(this);
  }

  /** Called by the heartbeat wheel once per interval: pings, or ends a session whose pings went unanswered. */
  beat(): void {
    if (this.awaitingPong && ++this.missedPongs >= MISSED_PONGS_ALLOWED) {
      logger.warn(`agent ${this.agentId}: missed ${this.missedPongs} heartbeats, disconnecting`);
      this.socket.terminate();
      return;
    }
    this.awaitingPong = true;
    this.socket.ping();
  }

  private async end(code: number): Promise<void> {
    if (this.ended) return;
    this.ended = true;
    helloDeadlines.remove(this);
    if (this.beating) heartbeatWheel(this.context.heartbeatIntervalMs).remove(this);
    if (!this.helloed) return;
    // A socket that closes while its hello is being recorded would otherwise be marked ended before it
    // is marked online, and stay "online" for good.
    await this.greeting?.catch(() => undefined);
    const status = this.goodbye ? 'offline' : 'disconnected';
    await this.hooks
      .onEnd(this, status, code)
      .catch((error: Error) => logger.error(`agent ${this.agentId}: ${error.message}`));
  }
}
