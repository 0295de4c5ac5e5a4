import { TLSSocket } from 'node:tls';

/** The agent listeners' TLS servers whose sockets survive a failed client-certificate verification. */
const servers = new WeakSet<object>();
let installed = false;

type ServerSideSocket = TLSSocket & { server?: object; _rejectUnauthorized?: boolean };

/**
 * Lets the listener answer a refused client certificate with 403 and the reason under `clientAuth:
 * required` too (ADR 31, amended). The server keeps `rejectUnauthorized`, so OpenSSL still fails a
 * handshake without a certificate with the `certificate_required` alert. But Node's verify callback
 * accepts every chain (OpenSSL never sends `unknown_ca` or `certificate_expired`, and Node has no API
 * to send an alert), and with `rejectUnauthorized` Node then destroys a socket whose chain failed
 * verification right after the handshake: the client sees "unexpected eof". For the servers given
 * here, each server-side socket is told not to (its `_rejectUnauthorized`, read only when the
 * handshake is done, after OpenSSL's verify mode was set from the server's options): the socket lives,
 * `authorized` stays false with `authorizationError`, and the listener's gate refuses it with a 403.
 *
 * `_init` and `_rejectUnauthorized` are Node internals (no public hook reaches the TLSSocket before
 * its handshake ends); Node is pinned (ADR 27) and test/medium/mutual-tls.spec.ts fails if they change.
 */
export function keepRefusedChains(server: object): void {
  installOnce();
  servers.add(server);
}

function installOnce(): void {
  if (installed) return;
  installed = true;
  const proto = TLSSocket.prototype as unknown as { _init?: (...args: unknown[]) => unknown };
  const original = proto._init;
  if (typeof original !== 'function') return; // another Node: sockets are dropped as before
  proto._init = function (this: ServerSideSocket, ...args: unknown[]) {
    const result = original.apply(this, args);
    if (this.server && servers.has(this.server)) this._rejectUnauthorized = false;
    return result;
  };
}
