/**
 * Child process of the connection and rollout benches: simulates up to ~19,000 agents speaking the agent
 * protocol (swarm-agent.ts; reconnection after a restart in swarm-reconnects.ts, `profile.sync` answered
 * through swarm-profile-sync.ts) — not the agent app, so the figures are central's. Driven by the
 * orchestrator over Node IPC (see swarm-protocol.ts).
 */
import { monitorEventLoopDelay } from 'node:perf_hooks';
import WebSocket from 'ws';
import { attempt, newSimAgent, type AttemptHooks, type SimAgent } from './swarm-agent.js';
import { DEFAULT_PROFILE_DOWNLOAD, SwarmProfileSync } from './swarm-profile-sync.js';
import {
  count,
  type Failures,
  type SwarmCommand,
  type SwarmConfig,
  type SwarmReply,
} from './swarm-protocol.js';
import { SwarmReconnects } from './swarm-reconnects.js';

let config: SwarmConfig | undefined;
let agents: SimAgent[] = [];
/** TLS handshakes since the mark that resumed a session (ADR 53). */
let resumedSinceMark = 0;
let profileSync: SwarmProfileSync | undefined;

const hooks: AttemptHooks = {
  profileSync: (agent, socket, frame, arrivedAt) => profileSync?.onFrame(agent, socket, frame, arrivedAt),
  tlsSessionResumed: () => resumedSinceMark++,
  lost: (agent, code) => reconnects.lost(agent, code),
};
const reconnects = new SwarmReconnects(
  () => config,
  (agent) => attempt(agent, config!, hooks),
);

const loopDelay = monitorEventLoopDelay({ resolution: 20 });
loopDelay.enable();
const loopDelayMaxMs = () => loopDelay.max / 1e6;

function reply(message: SwarmReply): void {
  process.send?.(message);
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
      const result = await attempt(agent, config!, hooks);
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
      agents = config.agentIds.map((id, index) => newSimAgent(index, id, config!.credentials?.[index]));
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
      reconnects.arm(command.reconnect, agents);
      return reply({ type: 'status', ...status() });
    case 'mark':
      reconnects.mark();
      for (const agent of agents) agent.welcomedSinceMark = undefined;
      resumedSinceMark = 0;
      profileSync?.mark();
      loopDelay.reset();
      return reply({ type: 'status', ...status() });
    case 'central-ready':
      reconnects.centralReady(command.at);
      return reply({ type: 'status', ...status() });
    case 'status':
      return reply({ type: 'status', ...status() });
    case 'welcomes': {
      const at = agents.flatMap((a) => (a.welcomedSinceMark === undefined ? [] : [a.welcomedSinceMark]));
      const figures = reconnects.sinceMark;
      return reply({
        type: 'welcomes',
        at,
        missing: agents.length - at.length,
        failuresBeforeReady: figures.failuresBeforeReady,
        failuresAfterReady: figures.failuresAfterReady,
        failedAfterReadyAtMs: figures.failedAfterReadyAtMs,
        reconnectLatenciesMs: figures.reconnectLatenciesMs,
        eventLoopDelayMaxMs: loopDelayMaxMs(),
        closes: figures.closes,
        resumedTls: resumedSinceMark,
      });
    }
    case 'deliveries':
      return reply(profileSync!.report(loopDelayMaxMs()));
    case 'close-all':
      return closeAll();
    case 'exit':
      reconnects.armed = false;
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
