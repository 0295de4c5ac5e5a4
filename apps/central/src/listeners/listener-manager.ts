import { Injectable, Logger, type OnModuleDestroy } from '@nestjs/common';
import { type IncomingMessage } from 'node:http';
import { type Server as HttpsServer } from 'node:https';
import { CloseCode, type Transport } from '../../../../libs/protocol/index.js';
import { AgentAuthenticator } from '../agents/agent-authenticator.js';
import { AgentSessions } from '../agents/agent-sessions.js';
import { DomainError, ErrorCode } from '../common/domain-error.js';
import { type BoundListener } from '../cluster/nodes.repository.js';
import { effectivePlainBinding, type WebSocketSettings } from '../settings/websocket-settings.js';
import { AgentListener, type ListenerKind, type UpgradeDecision } from './agent-listener.js';
import { secureContextOptions, tlsServerOptions } from './tls-options.js';

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
  private identity: TlsIdentity | undefined;
  private minTlsVersion: 'TLSv1.2' | 'TLSv1.3' = 'TLSv1.2';
  private queue: Promise<unknown> = Promise.resolve();

  constructor(
    private readonly authenticator: AgentAuthenticator,
    private readonly sessions: AgentSessions,
  ) {}

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
      (secure.server as HttpsServer).setSecureContext(secureContextOptions(identity, this.minTlsVersion));
      this.logger.log(`secure listener now presents certificate ${identity.id}`);
    });
  }

  bound(): BoundListener[] {
    return [...this.running.values()].map((l) => {
      const a = l.server.address();
      const address = a && typeof a === 'object' ? a.address : l.address;
      const port = a && typeof a === 'object' ? a.port : l.port;
      return { kind: l.kind, address, port, tls: l.kind === 'secure', connections: l.connections };
    });
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
    const plain = effectivePlainBinding(settings);
    const desired: Record<ListenerKind, DesiredListener | undefined> = {
      plain: plain && { kind: 'plain', ...plain, signature: `${plain.address}:${plain.port}` },
      secure: settings.secure.enabled
        ? {
            kind: 'secure',
            address: settings.secure.bindAddress,
            port: settings.secure.port,
            signature: `${settings.secure.bindAddress}:${settings.secure.port}:${settings.secure.minTlsVersion}`,
          }
        : undefined,
    };
    if (desired.secure && !this.identity) {
      throw new DomainError(ErrorCode.LISTENER_FAILED, 'secure listener needs an active server certificate');
    }
    // Closing listeners first frees ports another listener may be moving to (plain ↔ secure port swap).
    for (const kind of ['plain', 'secure'] as const) {
      if (!desired[kind] && this.running.has(kind)) await this.stop(kind);
    }
    for (const kind of ['plain', 'secure'] as const) {
      const want = desired[kind];
      if (want && this.running.get(kind)?.signature !== want.signature) await this.move(want);
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
      throw new DomainError(ErrorCode.LISTENER_FAILED, `${want.kind} listener: ${(error as Error).message}`);
    }
    this.running.set(want.kind, next);
    if (old && !samePort) await old.close(CloseCode.GOING_AWAY, 'listener moved');
    this.logger.log(
      `${want.kind} agent listener on ${want.address}:${want.port}${want.kind === 'secure' ? ' (TLS)' : ''}`,
    );
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
        ? tlsServerOptions(this.identity, this.minTlsVersion)
        : undefined;
    return new AgentListener(
      want.kind,
      want.address,
      want.port,
      (req, transport, address) => this.authorize(req, transport, address),
      tls,
      want.signature,
    );
  }

  private async authorize(
    req: IncomingMessage,
    transport: Transport,
    address: string,
  ): Promise<UpgradeDecision> {
    const result = await this.authenticator.authenticate(req, address);
    if (!result.ok) return { ok: false, status: result.status, reason: result.reason };
    return {
      ok: true,
      accept: (socket) =>
        this.sessions.accept(
          socket,
          result.agentId,
          transport,
          { remote: address, listener: req.socket.localAddress ?? '' },
          result.issuedCredential,
        ),
    };
  }
}
