import { createHash } from 'node:crypto';
import { isIP } from 'node:net';
import { connect as tlsConnect, type ConnectionOptions, type TLSSocket } from 'node:tls';
import type WebSocket from 'ws';
import type { ConnectionTarget } from './connection-target.js';

/** Sessions of this many distinct targets are kept (the running settings and a candidate's, ADR 28). */
const MAX_TARGETS = 4;

/**
 * The last TLS session of each secure target, in memory only, offered at the next connection to the same
 * target so a reconnect after central restarted resumes instead of doing the full handshake (ADR 53):
 * about a quarter less CPU on both ends, which is what bounds the storm. A session is offered only to
 * the very target it came from: same URL, same trusted CAs, same client certificate (a resumed session
 * re-checks neither side's certificate, so one made under other trust or another identity must not be
 * reused); a candidate connection to other settings has its own entry. Dropped when a connection to the
 * target failed a certificate verification.
 */
export class TlsSessionCache {
  private readonly sessions = new Map<string, Buffer>();

  /** The `ws` client option that connects through the cache (wss targets only). */
  clientOptions(target: ConnectionTarget): Pick<WebSocket.ClientOptions, 'createConnection'> {
    if (!target.secure) return {};
    return {
      createConnection: this.connector(target) as unknown as WebSocket.ClientOptions['createConnection'],
    };
  }

  /** `tls.connect` as the `ws` client's `createConnection`: offers the kept session, keeps the next. */
  connector(target: ConnectionTarget): (options: ConnectionOptions) => TLSSocket {
    const key = targetKey(target);
    return (options) => {
      const session = this.sessions.get(key);
      const socket = tlsConnect({
        ...options,
        // As ws's own tlsConnect: `path` is the HTTP request's (tls.connect would take it for a socket
        // path), and an IP address is never sent as the SNI name.
        path: undefined,
        servername: options.servername ?? (isIP(options.host ?? '') ? '' : options.host),
        ...(session ? { session } : {}),
      });
      // TLS 1.3 sends tickets after the handshake, TLS 1.2 in it: the last one wins.
      socket.on('session', (next: Buffer) => this.keep(key, next));
      return socket;
    };
  }

  /** Forgets the target's session (its certificate failed verification: trust must be decided afresh). */
  forget(target: ConnectionTarget): void {
    this.sessions.delete(targetKey(target));
  }

  /** Whether a session is kept for the target (tests, status). */
  has(target: ConnectionTarget): boolean {
    return this.sessions.has(targetKey(target));
  }

  private keep(key: string, session: Buffer): void {
    this.sessions.delete(key); // re-inserted last: the oldest entry goes first
    this.sessions.set(key, session);
    if (this.sessions.size > MAX_TARGETS) this.sessions.delete(this.sessions.keys().next().value!);
  }
}

function targetKey(target: ConnectionTarget): string {
  return createHash('sha256')
    .update(
      JSON.stringify([
        target.url,
        [...(target.caPems ?? [])].map((p) => p.trim()).sort(),
        target.clientCertificate?.chainPem.trim() ?? '',
      ]),
    )
    .digest('hex');
}
