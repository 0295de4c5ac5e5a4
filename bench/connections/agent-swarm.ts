/**
 * Child process of the connection and rollout benches: simulates up to ~19,000 agents speaking the agent
 * protocol (upgrade with a bearer secret, hello, welcome, auto-pong, `profile.sync` answered through
 * swarm-profile-sync.ts) with plain `ws` sockets — not the agent app, so the figures are central's.
 * Driven by the orchestrator over Node IPC (see swarm-protocol.ts).
 */
import { monitorEventLoopDelay } from 'node:perf_hooks';
import { connect as tlsConnect, type ConnectionOptions, type TLSSocket } from 'node:tls';
import WebSocket from 'ws';
import { AGENT_PATH, PROTOCOL_VERSION } from '../../libs/protocol/index.js';
import { Semaphore } from './semaphore.js';
import { DEFAULT_PROFILE_DOWNLOAD, SwarmProfileSync } from './swarm-profile-sync.js';
import {
  DEFAULT_RECONNECT_CONCURRENCY,
  type Failures,
  type SwarmCommand,
  type SwarmConfig,
  type SwarmReply,
  type SwarmTransport,
} from './swarm-protocol.js';

interface SimAgent {
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

type AttemptResult = { ok: true; latencyMs: number } | { ok: false; reason: string; retryAfterMs?: number };

let config: SwarmConfig | undefined;
let agents: SimAgent[] = [];
let reconnect = false;
let centralReadyAt: number | undefined;
let failuresBeforeReady: Failures = {};
let failuresAfterReady: Failures = {};
/** When (ms after central's ready line) attempts failed; shows whether refusals cluster. */
let failedAfterReadyAtMs: number[] = [];
/** Attempt start → welcome of the reconnections since the mark: central's queueing under the storm. */
let reconnectLatenciesMs: number[] = [];
let closes: Failures = {};
/** TLS handshakes since the mark that resumed a session (ADR 53). */
let resumedSinceMark = 0;
let profileSync: SwarmProfileSync | undefined;
let reconnectSemaphore: Semaphore | undefined;
/** Reconnection attempts in flight in this swarm (SwarmConfig.reconnectConcurrency). */
const reconnectSlots = () =>
  (reconnectSemaphore ??= new Semaphore(config?.reconnectConcurrency ?? DEFAULT_RECONNECT_CONCURRENCY));

const loopDelay = monitorEventLoopDelay({ resolution: 20 });
loopDelay.enable();
const loopDelayMaxMs = () => loopDelay.max / 1e6;

function reply(message: SwarmReply): void {
  process.send?.(message);
}

function count(map: Failures, key: string): void {
  map[key] = (map[key] ?? 0) + 1;
}

/** Short, groupable reasons: error codes rather than messages carrying ports and addresses. */
function reasonOf(error: Error & { code?: string }): string {
  if (error.code) return error.code;
  return error.message.replace(/\d+\.\d+\.\d+\.\d+(:\d+)?/g, '<addr>').slice(0, 80);
}

function attempt(agent: SimAgent): Promise<AttemptResult> {
  const c = config!;
  return new Promise((resolve) => {
    const started = performance.now();
    const secure = agent.transport === 'secure';
    const secret = agent.credential ?? c.enrollmentToken;
    const socket = new WebSocket(`${secure ? c.secureUrl : c.plainUrl}${AGENT_PATH}`, {
      headers: { authorization: `Bearer ${secret}`, 'x-switchyard-agent-id': agent.id },
      ...(secure ? { ca: c.ca, servername: 'localhost', createConnection: resumingConnect(agent) } : {}),
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
      if (frame.type === 'profile.sync') return profileSync?.onFrame(agent, socket, frame, arrivedAt);
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
      count(closes, String(code));
      if (reconnect) scheduleReconnect(agent);
    });
  });
}

/**
 * As the agent's TlsSessionCache (ADR 53): offer the agent's last TLS session, keep the next one. The bare
 * ceiling server keeps Node's per-process keys, so there a session never resumes after its restart.
 */
function resumingConnect(agent: SimAgent): WebSocket.ClientOptions['createConnection'] {
  const connect = (options: ConnectionOptions): TLSSocket => {
    const session = agent.tlsSession;
    const socket = tlsConnect({ ...options, path: undefined, ...(session ? { session } : {}) });
    socket.on('session', (next: Buffer) => (agent.tlsSession = next));
    socket.once('secureConnect', () => {
      if (socket.isSessionReused()) resumedSinceMark++;
    });
    return socket;
  };
  return connect as unknown as WebSocket.ClientOptions['createConnection'];
}

/** Capped exponential backoff with full jitter: a central restart must not cause a synchronized storm. */
function scheduleReconnect(agent: SimAgent, retryAfterMs?: number): void {
  const { baseMs, capMs } = config!.backoff;
  const delay =
    retryAfterMs !== undefined
      ? retryAfterMs + Math.random() * (retryAfterMs / 2 + 250)
      : Math.random() * Math.min(capMs, baseMs * 2 ** Math.min(agent.failures, 20));
  clearTimeout(agent.retry);
  agent.retry = setTimeout(() => {
    agent.retry = undefined;
    if (!reconnect || agent.socket) return;
    void reconnectSlots()
      .acquire()
      .then(async (release) => {
        // The wait for a slot counts in the agent's time back (welcomedSinceMark): conservative for central.
        const result = await (reconnect && !agent.socket
          ? attempt(agent)
          : Promise.resolve<AttemptResult | undefined>(undefined));
        release();
        return result;
      })
      .then((result) => {
        if (!result) return;
        if (result.ok) {
          reconnectLatenciesMs.push(result.latencyMs);
          return;
        }
        const afterReady = centralReadyAt !== undefined && Date.now() >= centralReadyAt;
        count(afterReady ? failuresAfterReady : failuresBeforeReady, result.reason);
        if (afterReady && failedAfterReadyAtMs.length < 10_000)
          failedAfterReadyAtMs.push(Date.now() - centralReadyAt!);
        if (result.retryAfterMs === undefined) agent.failures++;
        if (reconnect) scheduleReconnect(agent, result.retryAfterMs);
      });
  }, delay);
}

async function connect(command: Extract<SwarmCommand, { type: 'connect' }>): Promise<void> {
  const { from, to, transport, useToken } = command;
  const started = performance.now();
  loopDelay.reset();
  const deadline = started + command.deadlineMs;
  const selected = agents.slice(from, to);
  const failures: Failures = {};
  const latenciesMs: number[] = [];
  let next = 0;
  let done = 0;
  let failed = 0;
  const progress = setInterval(() => reply({ type: 'progress', done, failed }), 1000);
  const worker = async () => {
    while (next < selected.length) {
      const agent = selected[next++];
      if (performance.now() > deadline) {
        done++;
        failed++;
        count(failures, 'not attempted: phase deadline');
        continue;
      }
      agent.transport = transport;
      if (useToken) agent.credential = undefined;
      const result = await attempt(agent);
      done++;
      if (result.ok) latenciesMs.push(result.latencyMs);
      else {
        failed++;
        count(failures, result.reason);
      }
    }
  };
  await Promise.all(Array.from({ length: Math.min(config!.concurrency, selected.length) }, worker));
  clearInterval(progress);
  reply({
    type: 'connected',
    ok: selected.length - failed,
    failed,
    failures,
    wallMs: performance.now() - started,
    latenciesMs,
    eventLoopDelayMaxMs: loopDelayMaxMs(),
  });
}

async function closeAll(): Promise<void> {
  const waits: Array<Promise<void>> = [];
  for (const agent of agents) {
    clearTimeout(agent.retry);
    const socket = agent.socket;
    if (!socket) continue;
    agent.closingByUs = true;
    waits.push(
      new Promise<void>((resolve) => {
        if (socket.readyState === WebSocket.CLOSED) return resolve();
        // An attempt still in flight (after a restart that did not converge) is ended here, and its
        // failure handler removes every 'close' listener: do not wait for its close event.
        if (socket.readyState !== WebSocket.OPEN || !agent.open) {
          socket.terminate();
          return resolve();
        }
        const force = setTimeout(() => {
          socket.terminate();
          resolve();
        }, 10_000);
        socket.once('close', () => {
          clearTimeout(force);
          resolve();
        });
        socket.send(JSON.stringify({ type: 'goodbye', reason: 'bench phase over' }));
        socket.close(1000, 'goodbye');
      }),
    );
  }
  await Promise.all(waits);
  reply({ type: 'closed', closed: waits.length });
}

async function handle(command: SwarmCommand): Promise<void> {
  switch (command.type) {
    case 'configure':
      config = command.config;
      profileSync?.close();
      profileSync = new SwarmProfileSync({
        plainUrl: config.plainUrl,
        secureUrl: config.secureUrl,
        ca: config.ca,
        ...(config.profileDownload ?? DEFAULT_PROFILE_DOWNLOAD),
      });
      agents = config.agentIds.map((id, index) => ({
        index,
        id,
        transport: 'plain',
        credential: config!.credentials?.[index],
        socket: undefined,
        open: false,
        helloing: false,
        failures: 0,
        retry: undefined,
        closingByUs: false,
        welcomedSinceMark: undefined,
      }));
      return reply({ type: 'ready' });
    case 'retarget':
      config = {
        ...config!,
        plainUrl: command.plainUrl ?? config!.plainUrl,
        secureUrl: command.secureUrl,
        ca: command.ca,
      };
      profileSync?.retarget({ plainUrl: config.plainUrl, secureUrl: config.secureUrl, ca: config.ca });
      return reply({ type: 'status', ...status() });
    case 'connect':
      return connect(command);
    case 'arm':
      reconnect = command.reconnect;
      if (!reconnect) for (const agent of agents) clearTimeout(agent.retry);
      else for (const agent of agents) if (!agent.socket && !agent.retry) scheduleReconnect(agent);
      return reply({ type: 'status', ...status() });
    case 'mark':
      centralReadyAt = undefined;
      for (const agent of agents) agent.welcomedSinceMark = undefined;
      failuresBeforeReady = {};
      failuresAfterReady = {};
      failedAfterReadyAtMs = [];
      reconnectLatenciesMs = [];
      closes = {};
      resumedSinceMark = 0;
      profileSync?.mark();
      loopDelay.reset();
      return reply({ type: 'status', ...status() });
    case 'central-ready':
      centralReadyAt = command.at;
      return reply({ type: 'status', ...status() });
    case 'status':
      return reply({ type: 'status', ...status() });
    case 'welcomes': {
      const at = agents.flatMap((a) => (a.welcomedSinceMark === undefined ? [] : [a.welcomedSinceMark]));
      return reply({
        type: 'welcomes',
        at,
        missing: agents.length - at.length,
        failuresBeforeReady,
        failuresAfterReady,
        failedAfterReadyAtMs,
        reconnectLatenciesMs,
        eventLoopDelayMaxMs: loopDelayMaxMs(),
        closes,
        resumedTls: resumedSinceMark,
      });
    }
    case 'deliveries':
      return reply(profileSync!.report(loopDelayMaxMs()));
    case 'close-all':
      return closeAll();
    case 'exit':
      reconnect = false;
      for (const agent of agents) {
        clearTimeout(agent.retry);
        agent.socket?.terminate();
      }
      process.exit(0);
  }
}

function status(): Omit<Extract<SwarmReply, { type: 'status' }>, 'type'> {
  let open = 0;
  let helloing = 0;
  let welcomed = 0;
  for (const agent of agents) {
    if (agent.open) open++;
    if (agent.helloing) helloing++;
    if (agent.welcomedSinceMark !== undefined) welcomed++;
  }
  return {
    open,
    helloing,
    welcomedSinceMark: welcomed,
    total: agents.length,
    deliveries: profileSync?.status() ?? { received: 0, synchronized: 0, failed: 0 },
  };
}

process.on('message', (command: SwarmCommand) => {
  handle(command).catch((error: Error) => reply({ type: 'error', message: error.message }));
});
// The orchestrator gone (crash, Ctrl-C) ⇒ nothing left to report to: stop holding sockets.
process.on('disconnect', () => process.exit(0));
