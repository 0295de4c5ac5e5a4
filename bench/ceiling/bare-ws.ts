/**
 * The ceiling the connection bench compares central with: a bare Node `ws` server that answers an
 * agent's `hello` with a `welcome` the way a minimal central would — no database, no credential check,
 * no session state beyond the socket — and pings every heartbeat interval as central does. Over TLS
 * (the bench's ECDSA P-256 certificate, TLS 1.3 only) for the `bare` target, over plain `ws` as nginx's
 * upstream for the `nginx` target. Several processes share a port with `reusePort` (Node ≥ 22.12).
 */
import { readFileSync } from 'node:fs';
import { createServer as createHttpServer, type Server as HttpServer } from 'node:http';
import { createServer as createHttpsServer } from 'node:https';
import { type AddressInfo } from 'node:net';
import { WebSocketServer, type WebSocket } from 'ws';
import { AGENT_PATH, CloseCode, type ProfileSync } from '../../libs/protocol/index.js';
import { archiveResponder, pushToAll, type BareArchive } from './bare-push.js';

export interface BareServerConfig {
  /** Serve wss with this key and certificate; else plain ws. */
  tls?: { keyFile: string; certFile: string };
  host: string;
  /** 0 for any free port (tests). */
  port: number;
  heartbeatIntervalMs: number;
  /** For the rollout bench: serve this archive and take `push` commands (bare-push.ts). */
  archive?: BareArchive;
}

/** What a bare server child process tells its parent over IPC (bare-ws-server.ts). */
export type BareServerMessage =
  { type: 'listening'; pid: number } | { type: 'error'; message: string } | { type: 'pushed'; sent: number };

/** What the parent asks of a bare server child process (the rollout bench's push). */
export type BareServerCommand = { type: 'push'; frame: ProfileSync };

export interface BareServer {
  port: number;
  /** Sessions open now. */
  sessions(): number;
  /** Sends `profile.sync` to every open session at once; returns how many it went to. */
  push(frame: ProfileSync): number;
  /** Closes every session with "going away" (as central does when it stops) and the listener. */
  close(): Promise<void>;
}

export function serveBare(config: BareServerConfig): Promise<BareServer> {
  const server: HttpServer = config.tls
    ? createHttpsServer({
        key: readFileSync(config.tls.keyFile),
        cert: readFileSync(config.tls.certFile),
        minVersion: 'TLSv1.3',
      })
    : createHttpServer();
  if (config.archive) server.on('request', archiveResponder(config.archive));
  const wss = new WebSocketServer({
    server,
    path: AGENT_PATH,
    perMessageDeflate: false,
    maxPayload: 64 * 1024,
  });
  const open = new Set<WebSocket>();
  wss.on('connection', (socket) => {
    open.add(socket);
    socket.on('close', () => open.delete(socket));
    socket.on('error', () => socket.terminate());
    socket.on('message', (data) => {
      let frame: { type?: unknown; agentId?: unknown };
      try {
        frame = JSON.parse(data.toString()) as typeof frame;
      } catch {
        return socket.close(CloseCode.INVALID_PAYLOAD, 'not JSON');
      }
      if (frame.type !== 'hello') return;
      socket.send(
        JSON.stringify({
          type: 'welcome',
          agentId: frame.agentId,
          nodeId: 'bare-ws',
          heartbeatIntervalMs: config.heartbeatIntervalMs,
          desiredProfile: null,
        }),
      );
    });
  });
  // One timer for every socket, not one per session: what a minimal server would do.
  const heartbeat = setInterval(() => {
    for (const socket of open) socket.ping();
  }, config.heartbeatIntervalMs);
  heartbeat.unref();
  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen({ host: config.host, port: config.port, reusePort: true, backlog: 4096 }, () => {
      server.off('error', reject);
      resolve({
        port: (server.address() as AddressInfo).port,
        sessions: () => open.size,
        push: (frame) => pushToAll(open, frame),
        close: async () => {
          clearInterval(heartbeat);
          server.close();
          const closed = [...open].map(
            (socket) => new Promise<void>((done) => socket.once('close', () => done())),
          );
          for (const socket of open) socket.close(CloseCode.GOING_AWAY, 'server restarting');
          // A client that never answers the close frame does not hold the restart up.
          const force = setTimeout(() => {
            for (const socket of open) socket.terminate();
          }, 2000);
          await Promise.all(closed);
          clearTimeout(force);
        },
      });
    });
  });
}
