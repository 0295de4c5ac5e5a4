/**
 * One simulated agent's connection attempt, as the agent makes it: upgrade with a bearer secret, hello,
 * welcome, auto-pong, with plain `ws` sockets rather than the agent app so the figures are central's.
 */
import { connect as tlsConnect, type ConnectionOptions, type TLSSocket } from 'node:tls';
import WebSocket from 'ws';
import { AGENT_PATH, PROTOCOL_VERSION } from '../../libs/protocol/index.js';
import { type SwarmConfig, type SwarmTransport } from './swarm-protocol.js';

export interface SimAgent {
  index: number;
  id: string;
  transport: SwarmTransport;
  credential: string | undefined;
  socket: WebSocket | undefined;
  /** Welcomed and not closed since. */
  open: boolean;
  /** Hello sent on an open socket, welcome (or failure) not yet come. */
  helloing: boolean;
  /** Consecutive failed attempts, for the backoff. */
  failures: number;
  retry: NodeJS.Timeout | undefined;
  closingByUs: boolean;
  welcomedSinceMark: number | undefined;
  /** The last TLS session central gave this agent, offered at its next connection as the agent does. */
  tlsSession?: Buffer;
}

export function newSimAgent(index: number, id: string, credential: string | undefined): SimAgent {
  return {
    index,
    id,
    transport: 'plain',
    credential,
    socket: undefined,
    open: false,
    helloing: false,
    failures: 0,
    retry: undefined,
    closingByUs: false,
    welcomedSinceMark: undefined,
  };
}

export type AttemptResult =
  { ok: true; latencyMs: number } | { ok: false; reason: string; retryAfterMs?: number };

/**
 * The swarm's side of an attempt. Called when the event happens, not bound at the start: a `configure`
 * or a `mark` during a long-lived connection must reach it.
 */
export interface AttemptHooks {
  profileSync(agent: SimAgent, socket: WebSocket, frame: unknown, arrivedAt: number): void;
  tlsSessionResumed(): void;
  /** A welcomed connection closed, and not by us. */
  lost(agent: SimAgent, code: number): void;
}

/** Short, groupable reasons: error codes rather than messages carrying ports and addresses. */
function reasonOf(error: Error & { code?: string }): string {
  if (error.code) return error.code;
  return error.message.replace(/\d+\.\d+\.\d+\.\d+(:\d+)?/g, '<addr>').slice(0, 80);
}

export function attempt(agent: SimAgent, c: SwarmConfig, hooks: AttemptHooks): Promise<AttemptResult> {
  return new Promise((resolve) => {
    const started = performance.now();
    const secure = agent.transport === 'secure';
    const secret = agent.credential ?? c.enrollmentToken;
    const socket = new WebSocket(`${secure ? c.secureUrl : c.plainUrl}${AGENT_PATH}`, {
      headers: { authorization: `Bearer ${secret}`, 'x-switchyard-agent-id': agent.id },
      ...(secure
        ? { ca: c.ca, servername: 'localhost', createConnection: resumingConnect(agent, hooks) }
        : {}),
      localAddress: c.localAddresses[agent.index % c.localAddresses.length],
      handshakeTimeout: c.attemptTimeoutMs,
      perMessageDeflate: false,
      autoPong: true,
    });
    agent.socket = socket;
    agent.closingByUs = false;
    let settled = false;
    const settle = (result: AttemptResult) => {
      if (settled) return;
      settled = true;
      agent.helloing = false;
      clearTimeout(timer);
      if (!result.ok) {
        agent.socket = undefined;
        socket.removeAllListeners('close');
        socket.on('error', () => undefined);
        socket.terminate();
      }
      resolve(result);
    };
    const timer = setTimeout(
      () => settle({ ok: false, reason: 'timeout waiting for welcome' }),
      c.attemptTimeoutMs,
    );
    socket.on('error', (error: Error & { code?: string }) => settle({ ok: false, reason: reasonOf(error) }));
    socket.on('unexpected-response', (_req, res) => {
      // As the agent does: a refusal with Retry-After brings it back after that wait (ADR 26).
      const retryAfter = res.headers['retry-after'];
      settle({
        ok: false,
        reason: `HTTP ${res.statusCode ?? '?'}`,
        ...(retryAfter && /^\d+$/.test(retryAfter) ? { retryAfterMs: Number(retryAfter) * 1000 } : {}),
      });
      res.resume();
    });
    socket.on('open', () => {
      agent.helloing = !settled;
      socket.send(
        JSON.stringify({
          type: 'hello',
          agentId: agent.id,
          agentVersion: '0.1.0',
          protocolVersion: PROTOCOL_VERSION,
          capabilities: ['wss'],
          profileSha256: null,
          transport: agent.transport,
        }),
      );
    });
    socket.on('message', (data) => {
      const arrivedAt = performance.now();
      let frame: { type?: string; credential?: string };
      try {
        frame = JSON.parse(data.toString()) as typeof frame;
      } catch {
        return;
      }
      if (frame.type === 'profile.sync') return hooks.profileSync(agent, socket, frame, arrivedAt);
      if (frame.type !== 'welcome' || settled) return;
      if (frame.credential) agent.credential = frame.credential;
      agent.open = true;
      agent.failures = 0;
      agent.welcomedSinceMark ??= Date.now();
      settle({ ok: true, latencyMs: performance.now() - started });
    });
    socket.on('close', (code) => {
      if (!settled) return settle({ ok: false, reason: `closed ${code} before welcome` });
      agent.open = false;
      agent.socket = undefined;
      if (agent.closingByUs) return;
      hooks.lost(agent, code);
    });
  });
}

/**
 * As the agent's TlsSessionCache (ADR 53): offer the agent's last TLS session, keep the next one. The bare
 * ceiling server keeps Node's per-process keys, so there a session never resumes after its restart.
 */
function resumingConnect(agent: SimAgent, hooks: AttemptHooks): WebSocket.ClientOptions['createConnection'] {
  const connect = (options: ConnectionOptions): TLSSocket => {
    const session = agent.tlsSession;
    const socket = tlsConnect({ ...options, path: undefined, ...(session ? { session } : {}) });
    socket.on('session', (next: Buffer) => (agent.tlsSession = next));
    socket.once('secureConnect', () => {
      if (socket.isSessionReused()) hooks.tlsSessionResumed();
    });
    return socket;
  };
  return connect as unknown as WebSocket.ClientOptions['createConnection'];
}
