/**
 * The ceiling the connection bench compares central with: a bare Node `ws` server that answers an
 * agent's `hello` with a `welcome` the way a minimal central would — no database, no credential check,
 * no session state beyond the socket — and pings every heartbeat interval as central does. Over TLS
 * (the bench's ECDSA P-256 certificate, TLS 1.3 only) for the `bare` target, over plain `ws` as nginx's
 * upstream for the `nginx` target. Several processes share a port with `reusePort` (Node ≥ 22.12), one
 * process holding at most ~19,000 sockets. Child process of the bench, configured by a JSON argument.
 */
import { readFileSync } from 'node:fs';
import { createServer as createHttpServer, type Server as HttpServer } from 'node:http';
import { createServer as createHttpsServer } from 'node:https';
import { WebSocketServer, type WebSocket } from 'ws';
import { AGENT_PATH } from '../../libs/protocol/index.js';

export interface BareServerConfig {
  /** Serve wss with this key and certificate; else plain ws. */
  tls?: { keyFile: string; certFile: string };
  host: string;
  port: number;
  heartbeatIntervalMs: number;
}

/** What the process tells its parent over IPC. */
export type BareServerMessage = { type: 'listening'; pid: number } | { type: 'error'; message: string };

const WELCOME_FIELDS = { nodeId: 'bare-ws', desiredProfile: null };

function serve(config: BareServerConfig): void {
  const server: HttpServer = config.tls
    ? createHttpsServer({
        key: readFileSync(config.tls.keyFile),
        cert: readFileSync(config.tls.certFile),
        minVersion: 'TLSv1.3',
      })
    : createHttpServer();
  const wss = new WebSocketServer({
    server,
    path: AGENT_PATH,
    perMessageDeflate: false,
    maxPayload: 64 * 1024,
  });
  const alive = new Set<WebSocket>();
  wss.on('connection', (socket) => {
    alive.add(socket);
    socket.on('close', () => alive.delete(socket));
    socket.on('error', () => socket.terminate());
    socket.on('message', (data) => {
      let frame: { type?: unknown; agentId?: unknown };
      try {
        frame = JSON.parse(data.toString()) as typeof frame;
      } catch {
        return socket.close(1007, 'not JSON');
      }
      if (frame.type === 'hello') {
        socket.send(
          JSON.stringify({
            type: 'welcome',
            agentId: frame.agentId,
            heartbeatIntervalMs: config.heartbeatIntervalMs,
            ...WELCOME_FIELDS,
          }),
        );
      }
    });
  });
  // One timer for every socket, not one per session: what a minimal server would do.
  const heartbeat = setInterval(() => {
    for (const socket of alive) socket.ping();
  }, config.heartbeatIntervalMs);
  server.on('error', (error) => {
    process.send?.({ type: 'error', message: error.message } satisfies BareServerMessage);
    process.exit(1);
  });
  server.listen({ host: config.host, port: config.port, reusePort: true, backlog: 4096 }, () =>
    process.send?.({ type: 'listening', pid: process.pid } satisfies BareServerMessage),
  );
  // SIGTERM: close every session with "going away" as central does, so the agents reconnect.
  process.once('SIGTERM', () => {
    clearInterval(heartbeat);
    server.close();
    for (const socket of alive) socket.close(1001, 'server restarting');
    setTimeout(() => process.exit(0), 2000).unref();
    const done = setInterval(() => {
      if (alive.size === 0) process.exit(0);
    }, 50);
    done.unref();
  });
}

process.on('disconnect', () => process.exit(0));
serve(JSON.parse(process.argv[2] ?? '{}') as BareServerConfig);
