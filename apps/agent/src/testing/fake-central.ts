import {
  createServer as createHttpServer,
  type IncomingHttpHeaders,
  type IncomingMessage,
  type Server,
  type ServerResponse,
} from 'node:http';
import { createServer as createHttpsServer } from 'node:https';
import type { X509Certificate } from 'node:crypto';
import type { AddressInfo, Socket } from 'node:net';
import type { TLSSocket } from 'node:tls';
import { WebSocketServer, type WebSocket } from 'ws';

/** One agent connection as the fake central sees it. */
export class FakeSession {
  readonly frames: Record<string, unknown>[] = [];
  readonly closed: Promise<{ code: number; reason: string }>;
  private waiters: (() => void)[] = [];

  constructor(
    readonly socket: WebSocket,
    readonly headers: IncomingHttpHeaders,
    /** The client certificate the agent presented, when the fake central asked for one. */
    readonly peerCertificate: X509Certificate | undefined = undefined,
  ) {
    socket.on('error', () => {});
    socket.on('message', (data) => {
      this.frames.push(JSON.parse(data.toString()) as Record<string, unknown>);
      for (const wake of this.waiters.splice(0)) wake();
    });
    this.closed = new Promise((resolve) =>
      socket.on('close', (code, reason) => resolve({ code, reason: reason.toString() })),
    );
  }

  /** Resolves with the first frame of `type` (already received or still to come). */
  async frame(type: string, timeoutMs = 5000): Promise<Record<string, unknown>> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const found = this.frames.find((f) => f.type === type);
      if (found) return found;
      if (Date.now() > deadline) throw new Error(`no ${type} frame within ${timeoutMs} ms`);
      await new Promise<void>((resolve) => {
        this.waiters.push(resolve);
        setTimeout(resolve, 50);
      });
    }
  }

  send(frame: unknown): void {
    this.socket.send(typeof frame === 'string' ? frame : JSON.stringify(frame));
  }

  welcome(extra: Record<string, unknown> = {}): void {
    this.send({
      type: 'welcome',
      agentId: this.headers['x-switchyard-agent-id'],
      nodeId: 'central-1',
      heartbeatIntervalMs: 30_000,
      desiredProfile: null,
      ...extra,
    });
  }
}

export interface FakeCentralOptions {
  /** With `requestCert`, client certificates are asked for (and recorded, never verified). */
  tls?: { cert: string; key: string; requestCert?: boolean };
  /**
   * HTTP status to refuse an upgrade with (and the body, as central says why), or undefined to accept
   * it; `peer` is the client certificate the connection presented.
   */
  refuse?: (
    headers: IncomingHttpHeaders,
    peer: X509Certificate | undefined,
  ) => number | { status: number; body: string } | undefined;
  /** What to do with each accepted session; by default answer hello with welcome. */
  onSession?: (session: FakeSession) => void;
  /** Plain HTTP(S) requests on the same listener (profile downloads); 404 by default. */
  serve?: (request: IncomingMessage, response: ServerResponse) => void;
}

/** A minimal central on 127.0.0.1, port 0: records upgrades, hellos and frames; real sockets. */
export class FakeCentral {
  readonly sessions: FakeSession[] = [];
  /** Every upgrade request seen, accepted or refused. */
  readonly upgrades: IncomingHttpHeaders[] = [];
  /** Every TCP connection accepted, including those that never upgrade (e.g. a failed TLS handshake). */
  tcpConnections = 0;
  private readonly sockets = new Set<Socket>();
  private readonly wss = new WebSocketServer({ noServer: true });
  private sessionWaiters: ((session: FakeSession) => void)[] = [];

  private constructor(
    private readonly server: Server,
    private readonly options: FakeCentralOptions,
  ) {
    server.on('connection', (socket: Socket) => {
      this.tcpConnections++;
      this.sockets.add(socket);
      socket.on('close', () => this.sockets.delete(socket));
    });
    server.on('tlsClientError', () => {});
    server.on('request', (request: IncomingMessage, response: ServerResponse) => {
      if (options.serve) return options.serve(request, response);
      response.statusCode = 404;
      response.end();
    });
    server.on('upgrade', (request, socket: Socket, head) => {
      socket.on('error', () => {});
      this.upgrades.push(request.headers);
      const peer = options.tls?.requestCert
        ? (request.socket as TLSSocket).getPeerX509Certificate()
        : undefined;
      const refusal = options.refuse?.(request.headers, peer);
      if (refusal !== undefined) {
        const { status, body } = typeof refusal === 'number' ? { status: refusal, body: '' } : refusal;
        socket.end(
          `HTTP/1.1 ${status} Refused\r\nConnection: close\r\nContent-Type: application/json\r\nContent-Length: ${Buffer.byteLength(body)}\r\n\r\n${body}`,
        );
        return;
      }
      this.wss.handleUpgrade(request, socket, head, (ws) => this.accept(ws, request.headers, peer));
    });
  }

  static async start(options: FakeCentralOptions = {}): Promise<FakeCentral> {
    const server = options.tls
      ? createHttpsServer({
          cert: options.tls.cert,
          key: options.tls.key,
          requestCert: options.tls.requestCert === true,
          rejectUnauthorized: false,
        })
      : createHttpServer();
    const central = new FakeCentral(server, options);
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    return central;
  }

  get port(): number {
    return (this.server.address() as AddressInfo).port;
  }

  /** The next session (or the n-th overall, counting from 0). */
  session(index: number, timeoutMs = 5000): Promise<FakeSession> {
    if (this.sessions[index]) return Promise.resolve(this.sessions[index]);
    return new Promise((resolve, reject) => {
      const timer = setTimeout(
        () => reject(new Error(`no session #${index} within ${timeoutMs} ms`)),
        timeoutMs,
      );
      const check = (): void => {
        if (this.sessions[index]) {
          clearTimeout(timer);
          resolve(this.sessions[index]);
        } else {
          this.sessionWaiters.push(check);
        }
      };
      this.sessionWaiters.push(check);
    });
  }

  async close(): Promise<void> {
    for (const client of this.wss.clients) client.terminate();
    for (const socket of this.sockets) socket.destroy();
    this.wss.close();
    await new Promise<void>((resolve) => this.server.close(() => resolve()));
  }

  private accept(ws: WebSocket, headers: IncomingHttpHeaders, peer: X509Certificate | undefined): void {
    const session = new FakeSession(ws, headers, peer);
    this.sessions.push(session);
    if (this.options.onSession) this.options.onSession(session);
    else
      void session.frame('hello').then(
        () => session.welcome(),
        () => {},
      );
    for (const wake of this.sessionWaiters.splice(0)) wake(session);
  }
}
