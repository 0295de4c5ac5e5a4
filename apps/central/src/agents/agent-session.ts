import { Logger } from '@nestjs/common';
import { randomUUID } from 'node:crypto';
import { type WebSocket, type RawData } from 'ws';
import {
  CloseCode,
  PROTOCOL_VERSION,
  encodeFrame,
  parseAgentFrame,
  type AgentFrame,
  type CentralFrame,
  type Hello,
  type ProfileStatus,
  type Transport,
  type Welcome,
} from '../../../../libs/protocol/index.js';

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
  onEnd(session: AgentSession, status: 'offline' | 'disconnected'): Promise<void>;
}

const HELLO_TIMEOUT_MS = 10_000;
const MISSED_PONGS_ALLOWED = 2;

/**
 * One agent connection: waits for `hello`, answers `welcome`, pings on the heartbeat interval,
 * and closes with a precise code on any bad frame. It never throws out of a socket callback.
 */
export class AgentSession {
  readonly id = randomUUID();
  private readonly logger = new Logger('agent-session');
  private helloed = false;
  private welcomed = false;
  private ended = false;
  private goodbye = false;
  private missedPongs = 0;
  private awaitingPong = false;
  private heartbeat: NodeJS.Timeout | undefined;
  private helloTimer: NodeJS.Timeout | undefined;
  /** The hello being recorded: the session's end is recorded only after it (see `end`). */
  private greeting: Promise<void> | undefined;

  constructor(
    readonly socket: WebSocket,
    readonly context: SessionContext,
    private readonly hooks: SessionHooks,
  ) {
    socket.on('error', (error: Error & { code?: string }) => {
      // ws closes with 1009 itself for oversized frames; here we only make it visible.
      this.logger.warn(
        `agent ${context.agentId} (${context.remoteAddress}): ${error.code ?? 'socket error'}: ${error.message}`,
      );
    });
    socket.on('message', (data, isBinary) => this.receive(data, isBinary));
    socket.on('pong', () => {
      this.awaitingPong = false;
      this.missedPongs = 0;
    });
    socket.on('close', (code) => void this.end(code));
    this.helloTimer = setTimeout(
      // Timers run before sockets are read: after a stall of this process (a restart storm on a busy
      // machine) a hello that has arrived may still be unread. Give it that read before giving up.
      () =>
        setImmediate(() => {
          if (!this.helloed) this.close(CloseCode.POLICY_VIOLATION, 'no hello within 10 s');
        }),
      HELLO_TIMEOUT_MS,
    );
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
    if (isBinary) return this.refuse(CloseCode.INVALID_PAYLOAD, 'binary frames are not accepted');
    const parsed = parseAgentFrame(data.toString());
    if (!parsed.ok) return this.refuse(parsed.closeCode, parsed.reason);
    void this.handle(parsed.frame).catch((error: Error) => {
      this.logger.error(`agent ${this.agentId}: ${error.message}`);
      this.close(CloseCode.GOING_AWAY, 'central error, reconnect later');
    });
  }

  private refuse(code: number, reason: string): void {
    this.logger.warn(
      `agent ${this.agentId} (${this.context.remoteAddress}): closing with ${code}: ${reason}`,
    );
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
          this.logger.log(
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
        this.logger.log(`agent ${this.agentId}: command ${frame.id} ${frame.ok ? 'succeeded' : 'failed'}`);
        return;
      case 'profile.status':
        await this.hooks.onProfileStatus(this, frame);
        return;
    }
  }

  private async greet(hello: Hello): Promise<void> {
    this.helloed = true;
    clearTimeout(this.helloTimer);
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
    });
    // Only now may profile frames follow: the agent must see welcome first.
    this.welcomed = true;
    this.startHeartbeat();
    this.hooks.onWelcomed(this);
  }

  /** True once welcome went out and until the socket closes: frames sent now reach this agent's session. */
  get open(): boolean {
    return this.welcomed && !this.ended && this.socket.readyState === this.socket.OPEN;
  }

  /** Bytes queued on the socket but not yet written: senders back off while it is high. */
  get bufferedAmount(): number {
    return this.socket.bufferedAmount;
  }

  /** Sends a frame from central's other domains (profile delivery); false when the session is gone. */
  deliver(frame: CentralFrame): boolean {
    if (!this.open) return false;
    this.send(frame);
    return true;
  }

  private send(frame: Parameters<typeof encodeFrame>[0]): void {
    this.socket.send(encodeFrame(frame));
  }

  private startHeartbeat(): void {
    this.heartbeat = setInterval(() => {
      if (this.awaitingPong && ++this.missedPongs >= MISSED_PONGS_ALLOWED) {
        this.logger.warn(`agent ${this.agentId}: missed ${this.missedPongs} heartbeats, disconnecting`);
        this.socket.terminate();
        return;
      }
      this.awaitingPong = true;
      this.socket.ping();
    }, this.context.heartbeatIntervalMs);
  }

  private async end(code: number): Promise<void> {
    if (this.ended) return;
    this.ended = true;
    clearTimeout(this.helloTimer);
    clearInterval(this.heartbeat);
    if (!this.helloed) return;
    // A socket that closes while its hello is being recorded would otherwise be marked ended before it
    // is marked online, and stay "online" for good.
    await this.greeting?.catch(() => undefined);
    const status = this.goodbye ? 'offline' : 'disconnected';
    this.logger.log(`agent ${this.agentId} ${status} (close ${code})`);
    await this.hooks
      .onEnd(this, status)
      .catch((error: Error) => this.logger.error(`agent ${this.agentId}: ${error.message}`));
  }
}
