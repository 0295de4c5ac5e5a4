import { countHandshakeFailure, countTlsHandshake, countUpgradeRefusal } from '../metrics/event-counters.js';
import { Logger } from '@nestjs/common';
import cluster from 'node:cluster';
import {
  createServer as createHttpServer,
  type IncomingMessage,
  type Server,
  type ServerResponse,
} from 'node:http';
import { createServer as createHttpsServer, type Server as HttpsServer } from 'node:https';
import { type Socket } from 'node:net';
import { type Duplex } from 'node:stream';
import { type SecureContextOptions, type TLSSocket, type TlsOptions } from 'node:tls';
import { WebSocketServer, type WebSocket } from 'ws';
import { AGENT_PATH, MAX_FRAME_BYTES, type Transport } from '../../../../libs/protocol/index.js';
import { type ClientCertificateVerdict } from '../local-ca/client-certificate.check.js';
import { type ConnectionBudget } from './descriptor-budget.js';
import { type HandshakeShedding } from './handshake-shedding.js';
import { retryAfterSeconds } from './hello-admission.js';
import { type PoolPressure } from './pool-pressure.js';
import { type RefusalLog } from './refusal-log.js';
import { keepRefusedChains } from './keep-refused-chains.js';

export type ListenerKind = 'plain' | 'secure';

export interface UpgradeDecision {
  ok: boolean;
  status?: number;
  reason?: string;
  /** Sent as `Retry-After` with a refusal the agent should retry soon (central busy, database down). */
  retryAfterSeconds?: number;
  accept?: (socket: WebSocket) => void;
}

/** What keeps this process manageable under any number of agents (ADR 26); shared by its listeners. */
export interface ListenerGuard {
  budget: ConnectionBudget;
  refusals: RefusalLog;
  /** TLS handshakes started only while this process can take their upgrade (handshake-shedding.ts). */
  handshakes?: HandshakeShedding;
  /** Upgrades refused at once while the database pool is exhausted, not after its 10 s wait. */
  pool?: PoolPressure;
}

/** The agent a valid client certificate proved, on a mutual TLS connection. */
export interface VerifiedPeer {
  agentId: string;
  serial: string;
}

/** Decides, before any WebSocket exists, whether an upgrade on /agent may proceed. */
export type UpgradeAuthorizer = (
  req: IncomingMessage,
  transport: Transport,
  address: string,
  peer: VerifiedPeer | undefined,
) => Promise<UpgradeDecision>;

/**
 * Plain HTTP(S) requests on the listener (profile downloads): answers and returns true, or returns false to
 * leave the request to the listener. `certificateAgentId` is the agent a client certificate proved.
 */
export type AgentRequestHandler = (
  req: IncomingMessage,
  res: ServerResponse,
  certificateAgentId: string | undefined,
) => boolean;

/** Judges the client certificate of each finished TLS handshake (and logs and audits refusals). */
export interface HandshakeGate {
  check(socket: TLSSocket, address: string): ClientCertificateVerdict;
  /** A handshake that failed over the client certificate before `check` (logged, audited); its reason. */
  handshakeFailed(error: Error & { code?: string }, socket: TLSSocket, address: string): string | undefined;
}

/** A connection whose certificate was refused gets this long to send its request and read the 403. */
const REFUSED_LINGER_MS = 5000;

const ACCEPT_BACKLOG = 4096;

/**
 * One bound agent listener (plain HTTP or HTTPS) with its own WebSocket server on /agent.
 * Its clients are tracked so it can report and close exactly its own connections.
 */
export class AgentListener {
  private readonly logger = new Logger('listeners');
  private readonly wss = new WebSocketServer({
    noServer: true,
    maxPayload: MAX_FRAME_BYTES,
    clientTracking: true,
  });
  readonly server: Server | HttpsServer;
  /** Client certificates proved at the handshake, looked up again at the upgrade. */
  private readonly peers = new WeakMap<object, VerifiedPeer>();
  /** Connections whose client certificate the gate refused: every request on them gets 403 and why. */
  private readonly refusals = new WeakMap<object, string>();
  /** Peer addresses taken at the TCP connection: a socket Node destroyed in the handshake has none left. */
  private readonly addresses = new WeakMap<object, string>();

  constructor(
    readonly kind: ListenerKind,
    readonly address: string,
    readonly port: number,
    private readonly authorize: UpgradeAuthorizer,
    tls: TlsOptions | undefined,
    /** What the listener was built from (address, port, TLS version); equal ⇒ no rebind needed. */
    readonly signature: string,
    private readonly gate?: HandshakeGate,
    private readonly handleRequest?: AgentRequestHandler,
    private readonly guard?: ListenerGuard,
  ) {
    this.server = tls
      ? createHttpsServer(tls, (req, res) => this.request(req, res))
      : createHttpServer((req, res) => this.request(req, res));
    this.server.on(
      'upgrade',
      (req: IncomingMessage, socket: Duplex, head: Buffer) => void this.upgrade(req, socket, head),
    );
    this.server.on('clientError', (_error, socket: Duplex) => socket.destroy());
    if (guard) {
      // Before TLS and HTTP: far past the budget a socket costs nothing more than its accept.
      this.server.prependListener('connection', (socket: Socket) => {
        if (guard.budget.admit(socket)) return;
        guard.refusals.refused('descriptors', `${guard.budget.openSockets} agent sockets open`);
        socket.destroy();
      });
    }
    if (tls) {
      // A chain that fails verification under `required` is answered 403 with why, not dropped (ADR 31).
      keepRefusedChains(this.server);
      // Prepended: the refusal must come before the HTTP server reads a single byte from the socket.
      this.server.prependListener('connection', (raw: Socket) => {
        this.addresses.set(raw, raw.remoteAddress ?? 'unknown');
      });
      const shedding = guard?.handshakes;
      if (shedding) {
        // Prepended after the address (so it runs first): a shed socket never reaches the TLS layer's reads.
        this.server.prependListener('connection', (raw: Socket) => {
          if (raw.destroyed || shedding.admit(raw)) return;
          guard.refusals.refused('handshakes', `${shedding.inProgress} handshakes in progress`);
          raw.destroy();
        });
        this.server.on('tlsClientError', (_error: Error, socket: TLSSocket) =>
          shedding.finished(rawSocketOf(socket)),
        );
      }
      this.server.prependListener('secureConnection', (socket: TLSSocket) => {
        shedding?.finished(rawSocketOf(socket));
        socket.disableRenegotiation(); // client-initiated renegotiation is a DoS vector
        countTlsHandshake(socket.isSessionReused()); // the storm's TLS cost, for the operator (ADR 53)
        socket.on('error', () => undefined);
        const verdict = this.gate?.check(socket, this.addressOf(socket));
        if (verdict?.kind === 'refused') {
          countHandshakeFailure('client_certificate');
          this.refuseConnection(socket, verdict.reason);
        } else if (verdict?.kind === 'valid')
          this.peers.set(socket, { agentId: verdict.agentId, serial: verdict.serial });
      });
      this.server.on('tlsClientError', (error: Error & { code?: string }, socket: TLSSocket) => {
        const address = this.addressOf(socket);
        const certificateReason = this.gate?.handshakeFailed(error, socket, address); // logged, audited
        countHandshakeFailure(certificateReason ? 'client_certificate' : 'tls');
        if (certificateReason) return;
        this.logger.warn(`TLS handshake from ${address} failed: ${error.code ?? error.message}`);
      });
    }
  }

  /** Applies a new client-auth mode and TLS context live: open sessions stay, new handshakes follow it. */
  setClientAuth(requestCert: boolean, rejectUnauthorized: boolean, context: SecureContextOptions): void {
    const server = this.server as HttpsServer & { requestCert: boolean; rejectUnauthorized: boolean };
    server.requestCert = requestCert; // both read by Node for every new connection
    server.rejectUnauthorized = rejectUnauthorized;
    server.setSecureContext(context);
  }

  private addressOf(socket: TLSSocket): string {
    const raw = rawSocketOf(socket);
    return socket.remoteAddress ?? (raw && this.addresses.get(raw)) ?? 'unknown';
  }

  /**
   * The handshake is done but the certificate is refused: the request on this connection is answered
   * with 403 and the reason (TLS has no alert to send once the handshake completed), then closed.
   */
  private refuseConnection(socket: TLSSocket, reason: string): void {
    this.refusals.set(socket, reason);
    setTimeout(() => socket.destroy(), REFUSED_LINGER_MS).unref();
  }

  get connections(): number {
    return this.wss.clients.size;
  }

  listen(): Promise<void> {
    return new Promise((resolve, reject) => {
      const onError = (error: NodeJS.ErrnoException) => {
        this.server.off('listening', onListening);
        reject(new Error(describeBindError(error, this.address, this.port)));
      };
      const onListening = () => {
        this.server.off('error', onError);
        this.server.on('error', (e) => this.logger.error(`${this.kind} listener: ${e.message}`));
        resolve();
      };
      this.server.once('error', onError);
      this.server.once('listening', onListening);
      // After a restart the whole fleet dials back within seconds: a deep accept queue (capped by the
      // kernel's somaxconn) turns a burst into a short wait instead of dropped SYNs and retransmits.
      // In cluster mode every worker binds the agent ports itself and the kernel spreads connections
      // (SO_REUSEPORT): no accept and hand-over through the primary (ADR 33).
      this.server.listen({
        host: this.address,
        port: this.port,
        exclusive: true,
        reusePort: cluster.isWorker,
        backlog: ACCEPT_BACKLOG,
      });
    });
  }

  /** Closes the listener and every connection it carried (agents reconnect elsewhere with backoff). */
  async close(code: number, reason: string): Promise<void> {
    for (const client of this.wss.clients) {
      client.close(code, reason);
      setTimeout(() => client.terminate(), 2000).unref();
    }
    await new Promise<void>((resolve) => {
      this.server.close(() => resolve());
      this.server.closeAllConnections();
      setTimeout(() => {
        for (const client of this.wss.clients) client.terminate();
      }, 2000).unref();
    });
    this.wss.close();
  }

  private request(req: IncomingMessage, res: ServerResponse): void {
    const refusal = this.refusals.get(req.socket);
    if (refusal !== undefined) {
      res.writeHead(403, { 'content-type': 'application/json', connection: 'close' });
      res.end(JSON.stringify({ error: refusal }));
      return;
    }
    if (this.handleRequest?.(req, res, this.peers.get(req.socket)?.agentId)) return;
    const path = (req.url ?? '/').split('?')[0];
    const status = path === AGENT_PATH ? 426 : 404;
    res.writeHead(status, { 'content-type': 'application/json', connection: 'close' });
    res.end(JSON.stringify({ error: status === 426 ? 'upgrade to WebSocket required' : 'not found' }));
  }

  private async upgrade(req: IncomingMessage, socket: Duplex, head: Buffer): Promise<void> {
    socket.on('error', () => undefined);
    const address = req.socket.remoteAddress ?? 'unknown';
    const refusal = this.refusals.get(req.socket);
    if (refusal !== undefined) return reject(socket, 403, refusal);
    const path = (req.url ?? '/').split('?')[0];
    if (path !== AGENT_PATH) return reject(socket, 404, 'not found');
    const origin = req.headers.origin;
    if (origin !== undefined && !sameOrigin(origin, req.headers.host)) {
      this.logger.warn(`refused upgrade from ${address}: foreign Origin ${origin.slice(0, 100)}`);
      countHandshakeFailure('origin');
      return reject(socket, 403, 'foreign Origin');
    }
    if (this.guard?.budget.exceeded) {
      this.guard.refusals.refused('descriptors', `${this.guard.budget.openSockets} agent sockets open`);
      countHandshakeFailure('busy');
      return reject(socket, 503, 'central holds all the agent connections it can', retryAfterSeconds(5, 15));
    }
    const exhausted = this.guard?.pool?.exhausted();
    if (this.guard && exhausted !== undefined) {
      this.guard.refusals.refused('pool', exhausted);
      countHandshakeFailure('busy');
      const reason = "central's database pool is exhausted; try again after Retry-After";
      return reject(socket, 503, reason, retryAfterSeconds(1, 5));
    }
    const peer = this.peers.get(req.socket);
    const transport: Transport = this.kind === 'plain' ? 'plain' : peer ? 'secure+mtls' : 'secure';
    let decision: UpgradeDecision;
    try {
      decision = await this.authorize(req, transport, address, peer);
    } catch (error) {
      this.guard?.refusals.refused('database', (error as Error).message);
      if (!this.guard) this.logger.error(`upgrade from ${address}: ${(error as Error).message}`);
      // A server-side failure: the agent is asked back soon rather than left to its growing backoff.
      countHandshakeFailure('busy');
      return reject(socket, 503, 'central cannot check credentials right now', retryAfterSeconds(1, 5));
    }
    if (!decision.ok || !decision.accept) {
      // Refusals of a busy central are counted and logged once per burst by whoever refused.
      if (decision.retryAfterSeconds === undefined)
        this.logger.warn(`refused agent upgrade from ${address}: ${decision.reason ?? 'unauthorized'}`);
      countUpgradeRefusal(decision.status ?? 401);
      return reject(
        socket,
        decision.status ?? 401,
        decision.reason ?? 'unauthorized',
        decision.retryAfterSeconds,
      );
    }
    if (socket.destroyed) return;
    const accept = decision.accept;
    this.wss.handleUpgrade(req, socket, head, (ws) => accept(ws));
  }
}

/** The address of a TLS socket, also once Node destroyed it (its raw TCP socket was seen at `connection`). */
function rawSocketOf(socket: TLSSocket): object | undefined {
  // `_parent` is the net.Socket a server-side TLSSocket wraps (Node has no public accessor for it).
  return (socket as TLSSocket & { _parent?: object })._parent;
}

function reject(socket: Duplex, status: number, reason: string, retryAfter?: number): void {
  const text =
    {
      400: 'Bad Request',
      401: 'Unauthorized',
      403: 'Forbidden',
      404: 'Not Found',
      409: 'Conflict',
      503: 'Service Unavailable',
    }[status] ?? 'Error';
  const body = JSON.stringify({ error: reason });
  const auth = status === 401 ? 'WWW-Authenticate: Bearer realm="switchyard-agent"\r\n' : '';
  const retry = retryAfter === undefined ? '' : `Retry-After: ${retryAfter}\r\n`;
  if (!socket.destroyed) {
    socket.end(
      `HTTP/1.1 ${status} ${text}\r\n${auth}${retry}Content-Type: application/json\r\nContent-Length: ${Buffer.byteLength(body)}\r\nConnection: close\r\n\r\n${body}`,
    );
  }
}

function sameOrigin(origin: string, host: string | undefined): boolean {
  try {
    return new URL(origin).host === host;
  } catch {
    return false;
  }
}

function describeBindError(error: NodeJS.ErrnoException, address: string, port: number): string {
  if (error.code === 'EADDRINUSE') return `port ${port} on ${address} is already in use by another process`;
  if (error.code === 'EACCES')
    return `not allowed to bind port ${port} on ${address} (ports below 1024 need privileges)`;
  if (error.code === 'EADDRNOTAVAIL') return `address ${address} is not an address of this machine`;
  return `cannot bind ${address}:${port}: ${error.message}`;
}
