/**
 * The ceiling part of the connection bench (issue 15, point 6): the same swarm, in the same run,
 * connects over wss to a bare Node `ws` server and to nginx terminating TLS in front of one; each
 * target's RSS and CPU per connection, the time to connect all, and the time back after a restart.
 */
import { type BenchContext, type MeasuredProcesses } from '../connections/bench-context.js';
import { freePorts } from '../connections/bench-setup.js';
import { mergeCounts, spread, sleep } from '../connections/stats.js';
import { treeCpuMs, treeRssKb } from '../connections/process-tree.js';
import { type ConnectPhaseResult } from '../connections/results.js';
import { type CeilingServer, findNginx, startBare, startNginx } from './ceiling-servers.js';
import { perConnection, type CeilingTargetName, type RestartFigures, type TargetFigures } from './figures.js';
import { serverProcessesFor } from './spread-plan.js';
import { type TlsFixture } from './tls-fixture.js';

export interface CeilingOptions {
  agents: number;
  targets: Array<Exclude<CeilingTargetName, 'switchyard'>>;
  /** Bare `ws` processes (and nginx workers); by default as many as the socket limit needs. */
  serverProcesses: number | undefined;
  /** Also restart each target with every agent connected and time them back. */
  restart: boolean;
  reconnectTimeoutMs: number;
  heartbeatIntervalMs: number;
  tls: TlsFixture;
  /** The run's temp directory (nginx's configuration and logs go below it). */
  dir: string;
  clientSources: string[];
  log: (line: string) => void;
}

/** Switchyard's figures from its own phases: the all-wss one (or the secure half) and its restart. */
export function switchyardFigures(
  phase: ConnectPhaseResult | undefined,
  held: number,
  restart: RestartFigures | undefined,
): TargetFigures {
  if (!phase) return { ...emptyFigures('switchyard', 0), skipped: 'no secure phase ran' };
  return {
    ...fromPhase('switchyard', phase, held),
    dbCpuMsPerConnection: phase.dbCpuMsPerAgent,
    ...(restart ? { restart } : {}),
  };
}

function emptyFigures(target: CeilingTargetName, agents: number): TargetFigures {
  return {
    target,
    agents,
    held: 0,
    processes: 0,
    connectAllMs: NaN,
    kbPerConnection: NaN,
    cpuMsPerConnection: NaN,
  };
}

function fromPhase(target: CeilingTargetName, phase: ConnectPhaseResult, held: number): TargetFigures {
  return {
    target,
    agents: phase.agents,
    held,
    processes: phase.processes ?? 1,
    connectAllMs: phase.wallMs,
    kbPerConnection: perConnection(phase.rssBeforeKb, phase.rssAfterKb, held),
    cpuMsPerConnection: phase.centralCpuMsPerAgent,
  };
}

/** Agents the swarms hold open now. */
export async function heldNow(ctx: BenchContext): Promise<number> {
  const statuses = await ctx.eachSwarm({ type: 'status' }, 'status');
  return statuses.reduce((n, s) => n + s.open, 0);
}

/**
 * Stops the server with every agent connected, starts it again and times each agent's way back from
 * the new server's readiness (the agents' own capped, jittered backoff, as after a central restart).
 */
export async function restartStorm(
  ctx: BenchContext,
  name: string,
  stop: () => Promise<void>,
  start: () => Promise<void>,
  timeoutMs: number,
  log: (line: string) => void,
): Promise<RestartFigures> {
  const statuses = await ctx.eachSwarm({ type: 'status' }, 'status');
  const agents = statuses.reduce((n, s) => n + s.total, 0);
  await ctx.eachSwarm({ type: 'arm', reconnect: true }, 'status');
  await ctx.eachSwarm({ type: 'mark' }, 'status');
  log(`${name} restart: stopping it with ${agents} agents connected`);
  await stop();
  await start();
  const readyAt = Date.now();
  await ctx.eachSwarm({ type: 'central-ready', at: readyAt }, 'status');
  let lastLog = Date.now();
  for (;;) {
    const now = await ctx.eachSwarm({ type: 'status' }, 'status');
    const welcomed = now.reduce((n, s) => n + s.welcomedSinceMark, 0);
    if (welcomed >= agents || Date.now() - readyAt > timeoutMs) break;
    if (Date.now() - lastLog >= 5000) {
      lastLog = Date.now();
      log(
        `${name} restart: ${welcomed}/${agents} back after ${((Date.now() - readyAt) / 1000).toFixed(0)} s`,
      );
    }
    await sleep(100);
  }
  const welcomes = await ctx.eachSwarm({ type: 'welcomes' }, 'welcomes');
  const at = welcomes.flatMap((w) => w.at);
  const missing = welcomes.reduce((n, w) => n + w.missing, 0);
  const failuresAfterReady: Record<string, number> = {};
  for (const w of welcomes) mergeCounts(failuresAfterReady, w.failuresAfterReady);
  log(`${name} restart: ${at.length}/${agents} back, ${missing} missing`);
  return {
    agents,
    back: at.length,
    missing,
    backMs: spread(at.map((t) => Math.max(0, t - readyAt))),
    failuresAfterReady,
  };
}

async function runTarget(
  ctx: BenchContext,
  target: Exclude<CeilingTargetName, 'switchyard'>,
  sizes: number[],
  options: CeilingOptions,
): Promise<TargetFigures> {
  const n = options.agents;
  const log = options.log;
  const [port, upstreamPort] = await freePorts(2);
  const bareProcesses = options.serverProcesses ?? serverProcessesFor(n, 1);
  const upstream = { processes: bareProcesses, port, heartbeatIntervalMs: options.heartbeatIntervalMs };
  let start: () => Promise<CeilingServer>;
  if (target === 'bare') {
    start = () => startBare({ ...upstream, tls: options.tls });
  } else {
    const binary = findNginx();
    if (!binary) {
      const reason = 'nginx is not installed (Debian: apt-get install -y nginx)';
      log(`nginx: skipped: ${reason}`);
      return { ...emptyFigures('nginx', n), skipped: reason };
    }
    start = () =>
      startNginx({
        binary,
        dir: options.dir,
        workers: options.serverProcesses ?? serverProcessesFor(n, 2),
        agents: n,
        port,
        upstreamPort,
        tls: options.tls,
        clientSources: options.clientSources,
        upstream,
      });
  }
  let server: CeilingServer;
  try {
    server = await start();
  } catch (error) {
    const reason = `did not start: ${(error as Error).message}`;
    log(`${target}: skipped: ${reason}`);
    return { ...emptyFigures(target, n), skipped: reason };
  }
  try {
    await ctx.eachSwarm(
      { type: 'retarget', secureUrl: `wss://127.0.0.1:${port}`, ca: options.tls.certPem },
      'status',
    );
    const measured: MeasuredProcesses = {
      pids: () => server.pids(),
      dbCpuMs: () => NaN,
      listenerConnections: async () => ({}),
    };
    const front0 = server.frontPids?.() ?? [];
    const frontRss0 = treeRssKb(front0);
    const frontCpu0 = treeCpuMs(front0);
    const all = (i: number) => ({ from: 0, to: sizes[i] ?? 0 });
    const phase = await ctx.connectPhase(target, 'secure', all, false, measured);
    const held = await heldNow(ctx);
    const figures = fromPhase(target, phase, held);
    if (server.frontPids) {
      const front1 = server.frontPids();
      figures.front = {
        kbPerConnection: perConnection(frontRss0, treeRssKb(front1), held),
        cpuMsPerConnection: perConnection(frontCpu0, treeCpuMs(front1), phase.ok),
      };
    }
    if (options.restart) {
      figures.restart = await restartStorm(
        ctx,
        target,
        () => server.stop(),
        async () => {
          server = await start();
        },
        options.reconnectTimeoutMs,
        log,
      );
    }
    await ctx.disconnectAll();
    return figures;
  } finally {
    await server.stop();
  }
}

/** Runs every ceiling target asked for, one after the other, with the swarms `ctx` holds (all idle). */
export async function runCeilingTargets(
  ctx: BenchContext,
  sizes: number[],
  options: CeilingOptions,
): Promise<TargetFigures[]> {
  const out: TargetFigures[] = [];
  for (const target of options.targets) out.push(await runTarget(ctx, target, sizes, options));
  return out;
}
