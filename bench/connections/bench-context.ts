import { AdminApi } from './admin-api.js';
import { CentralProcess, type CentralEnv, type LogDigest } from './central-process.js';
import { cpuMsOf, isAlive, postgresCpuMs, tcpCounters } from './proc-stats.js';
import { treeCpuMs, treeOf, treeRssKb } from './process-tree.js';
import { type ConnectPhaseResult, type LoadFigures, type RestartResult } from './results.js';
import { mergeCounts, sleep, spread } from './stats.js';
import { type SwarmClient } from './swarm-client.js';
import { type Failures, type SwarmTransport } from './swarm-protocol.js';

export interface PhaseLimits {
  signal?: AbortSignal;
  idleMs: number;
  phaseDeadlineMs: number;
  reconnectTimeoutMs: number;
}

/** The processes a phase measures: central (with its cluster workers) by default, or a ceiling target. */
export interface MeasuredProcesses {
  /** The serving processes now; read again at the end of the phase (a worker may have been replaced). */
  pids(): number[];
  /** CPU of the database behind them, ms (NaN when there is none or it is not ours to read). */
  dbCpuMs(): number;
  listenerConnections(): Promise<Record<string, number>>;
}

/** Which agents of each swarm a phase uses: [from, to) of that swarm's own list. */
export type SwarmSlice = (swarmIndex: number) => { from: number; to: number };

/**
 * What the bench holds while it runs: the current central process (it is restarted between phases),
 * the admin API on it and the agent swarms. Measures one phase at a time.
 */
export class BenchContext {
  central: CentralProcess | undefined;
  api: AdminApi;
  swarms: SwarmClient[] = [];
  /** Every embedded PostgreSQL seen, so a crashed central cannot leave one running. */
  readonly postmasters = new Set<number>();

  constructor(
    private readonly env: CentralEnv,
    private readonly logFile: string,
    private readonly digest: LogDigest,
    private readonly limits: PhaseLimits,
    private readonly problems: string[],
    private readonly log: (line: string) => void,
  ) {
    this.api = new AdminApi(`http://127.0.0.1:${env.httpPort}/`);
  }

  get centralPid(): number {
    if (!this.central) throw new Error('central is not running');
    return this.central.pid;
  }

  async startCentral(): Promise<CentralProcess> {
    const central = await CentralProcess.start(this.env, this.logFile, this.digest, (message) => {
      this.problems.push(message);
      this.log(`PROBLEM: ${message}`);
    });
    this.central = central;
    const postmaster = central.postmasterPid();
    if (postmaster) this.postmasters.add(postmaster);
    await this.api.login(this.env.adminPassword);
    return central;
  }

  async stopCentral(): Promise<{ ms: number; exit: string }> {
    const central = this.central;
    if (!central) return { ms: 0, exit: 'not running' };
    this.central = undefined;
    const r = await central.stop();
    const exit = r.signal ?? `code ${r.code}`;
    if (r.code !== 0) this.problems.push(`central (pid ${central.pid}) stopped with ${exit} after SIGTERM`);
    return { ms: r.ms, exit };
  }

  dbCpuMs(): number {
    const pid = this.central?.postmasterPid();
    return pid ? postgresCpuMs(pid) : NaN;
  }

  /** Central's process and its cluster workers, without the embedded PostgreSQL should it hang below. */
  centralPids(): number[] {
    const postmaster = this.central?.postmasterPid();
    return treeOf(this.centralPid, postmaster ? [postmaster] : []);
  }

  private centralMeasured(): MeasuredProcesses {
    return {
      pids: () => this.centralPids(),
      dbCpuMs: () => this.dbCpuMs(),
      listenerConnections: () => this.api.listenerConnections(),
    };
  }

  /** Every agent of every swarm connects once over `transport`; then idle, then memory is read. */
  async connectPhase(
    name: string,
    transport: SwarmTransport,
    slice: SwarmSlice,
    useToken: boolean,
    measured: MeasuredProcesses = this.centralMeasured(),
  ): Promise<ConnectPhaseResult> {
    const pids0 = measured.pids();
    const agents = this.swarms.reduce((n, _s, i) => n + slice(i).to - slice(i).from, 0);
    this.log(`${name}: connecting ${agents} agents over ${transport}`);
    const rssBeforeKb = treeRssKb(pids0);
    const cpu0 = treeCpuMs(pids0);
    const db0 = measured.dbCpuMs();
    const load = this.loadMeter(() => measured.pids());
    const t0 = performance.now();
    const ticker = setInterval(() => {
      const done = this.swarms.reduce((n, s) => n + s.progress.done, 0);
      const failed = this.swarms.reduce((n, s) => n + s.progress.failed, 0);
      this.log(`${name}: ${done}/${agents} attempted, ${failed} failed`);
    }, 5000);
    const replies = await Promise.all(
      this.swarms.map((s, i) => {
        s.progress = { done: 0, failed: 0 };
        return s.request(
          { type: 'connect', ...slice(i), transport, useToken, deadlineMs: this.limits.phaseDeadlineMs },
          'connected',
          this.limits.phaseDeadlineMs + 120_000,
        );
      }),
    ).finally(() => clearInterval(ticker));
    const wallMs = performance.now() - t0;
    const loadFigures = load(Math.max(...replies.map((r) => r.eventLoopDelayMaxMs)));
    const pids1 = measured.pids();
    const cpuMs = treeCpuMs(pids1) - cpu0;
    const dbMs = measured.dbCpuMs() - db0;
    const ok = replies.reduce((n, r) => n + r.ok, 0);
    const failures: Failures = {};
    for (const r of replies) mergeCounts(failures, r.failures);
    this.log(
      `${name}: ${ok}/${agents} welcomed in ${(wallMs / 1000).toFixed(1)} s; idle ${this.limits.idleMs} ms`,
    );
    await sleep(this.limits.idleMs);
    const rssAfterKb = treeRssKb(measured.pids());
    return {
      name,
      transport,
      agents,
      ok,
      failed: agents - ok,
      failures,
      wallMs,
      latencyMs: spread(replies.flatMap((r) => r.latenciesMs)),
      centralCpuMsPerAgent: cpuMs / Math.max(ok, 1),
      dbCpuMsPerAgent: dbMs / Math.max(ok, 1),
      rssBeforeKb,
      rssAfterKb,
      kbPerAgent: (rssAfterKb - rssBeforeKb) / Math.max(ok, 1),
      listenerConnections: await measured.listenerConnections(),
      load: loadFigures,
      processes: pids1.length,
    };
  }

  /** Starts measuring load; the returned function ends the window. */
  private loadMeter(servers: () => number[]): (swarmDelayMaxMs: number) => LoadFigures {
    const t0 = performance.now();
    const central0 = treeCpuMs(servers());
    const swarm0 = this.swarmCpuMs();
    const tcp0 = tcpCounters();
    return (swarmEventLoopDelayMaxMs) => {
      const wall = performance.now() - t0;
      const tcp = tcpCounters();
      return {
        centralCores: (treeCpuMs(servers()) - central0) / wall,
        swarmCores: (this.swarmCpuMs() - swarm0) / wall,
        swarmEventLoopDelayMaxMs,
        listenOverflows: tcp.listenOverflows - tcp0.listenOverflows,
        synRetransmits: tcp.synRetransmits - tcp0.synRetransmits,
      };
    };
  }

  /** Polls GET /api/health until stopped; resolves with the slowest answer, ms. */
  private probeApi(): { stop: () => Promise<number> } {
    let running = true;
    let worst = 0;
    const loop = (async () => {
      while (running) {
        const t = performance.now();
        await fetch(new URL('/api/health', `http://127.0.0.1:${this.env.httpPort}/`), {
          signal: AbortSignal.timeout(60_000),
        })
          .then((r) => r.arrayBuffer())
          .catch(() => undefined);
        worst = Math.max(worst, performance.now() - t);
        await sleep(250);
      }
    })();
    return {
      stop: async () => {
        running = false;
        await loop;
        return worst;
      },
    };
  }

  /**
   * SIGTERM central with every agent connected, start it again on the same data directory and time
   * each agent's way back (its own capped, jittered backoff) from the new central's ready line.
   */
  async restartPhase(): Promise<RestartResult> {
    const agents = (await this.eachSwarm({ type: 'status' }, 'status')).reduce((n, s) => n + s.total, 0);
    await this.eachSwarm({ type: 'arm', reconnect: true }, 'status');
    await this.eachSwarm({ type: 'mark' }, 'status');
    this.log(`restart: stopping central with ${agents} agents connected`);
    const stop = await this.stopCentral();
    const spawnAt = Date.now();
    const central = await this.startCentral();
    const readyAt = central.readyAt!;
    await this.eachSwarm({ type: 'central-ready', at: readyAt }, 'status');
    const cpu0 = treeCpuMs(this.centralPids());
    const db0 = this.dbCpuMs();
    const load = this.loadMeter(() => this.centralPids());
    const probe = this.probeApi();
    this.log(`restart: central ready after ${readyAt - spawnAt} ms, waiting for ${agents} agents`);
    let lastLog = Date.now();
    const onlineOverTime: RestartResult['onlineOverTime'] = [];
    // The swarms take one command at a time: the sampler reads the count this loop last got.
    let welcomed = 0;
    const sampler = this.sampleOnline(readyAt, onlineOverTime, () => welcomed);
    for (;;) {
      welcomed = await this.welcomedSinceMark();
      if (welcomed >= agents || Date.now() - readyAt > this.limits.reconnectTimeoutMs) break;
      this.limits.signal?.throwIfAborted();
      if (Date.now() - lastLog >= 5000) {
        lastLog = Date.now();
        this.log(`restart: ${welcomed}/${agents} back after ${((Date.now() - readyAt) / 1000).toFixed(0)} s`);
      }
      await sleep(100);
    }
    await sampler.stop();
    const cpuMs = treeCpuMs(this.centralPids()) - cpu0;
    const dbMs = this.dbCpuMs() - db0;
    const apiHealthMaxMs = await probe.stop();
    const welcomes = await this.eachSwarm({ type: 'welcomes' }, 'welcomes');
    const loadFigures = load(Math.max(...welcomes.map((w) => w.eventLoopDelayMaxMs)));
    const at = welcomes.flatMap((w) => w.at);
    const missing = welcomes.reduce((n, w) => n + w.missing, 0);
    if (missing > 0) {
      this.problems.push(
        `${missing} of ${agents} agents had no welcome ${this.limits.reconnectTimeoutMs / 1000} s after the restart`,
      );
    }
    const failedAt = welcomes.flatMap((w) => w.failedAfterReadyAtMs);
    const closes: Failures = {};
    const failuresBeforeReady: Failures = {};
    const failuresAfterReady: Failures = {};
    for (const w of welcomes) {
      mergeCounts(closes, w.closes);
      mergeCounts(failuresBeforeReady, w.failuresBeforeReady);
      mergeCounts(failuresAfterReady, w.failuresAfterReady);
    }
    this.log(`restart: ${at.length}/${agents} back; idle ${this.limits.idleMs} ms`);
    await sleep(this.limits.idleMs);
    return {
      agents,
      stopMs: stop.ms,
      stopExit: stop.exit,
      bootMs: readyAt - spawnAt,
      reconnected: at.length,
      missing,
      reconnectMs: spread(at.map((t) => Math.max(0, t - readyAt))),
      welcomedBeforeReady: at.filter((t) => t < readyAt).length,
      closes,
      resumedTls: welcomes.reduce((n, w) => n + (w.resumedTls ?? 0), 0),
      failuresBeforeReady,
      failuresAfterReady,
      failedAfterReadyAtMs: {
        min: failedAt.reduce((m, t) => Math.min(m, t), failedAt[0] ?? 0),
        ...spread(failedAt),
      },
      reconnectAttemptMs: spread(welcomes.flatMap((w) => w.reconnectLatenciesMs)),
      centralCpuMsPerAgent: cpuMs / Math.max(at.length, 1),
      dbCpuMsPerAgent: dbMs / Math.max(at.length, 1),
      rssAfterKb: treeRssKb(this.centralPids()),
      listenerConnections: await this.api.listenerConnections(),
      agentCounts: await this.api.agentCounts(),
      load: loadFigures,
      apiHealthMaxMs,
      onlineOverTime,
    };
  }

  private async welcomedSinceMark(): Promise<number> {
    const replies = await this.eachSwarm({ type: 'status' }, 'status');
    return replies.reduce((n, s) => n + s.welcomedSinceMark, 0);
  }

  /** Every ~2 s: the API's online count next to the latest welcomed count. */
  private sampleOnline(
    readyAt: number,
    into: RestartResult['onlineOverTime'],
    welcomedNow: () => number,
  ): { stop: () => Promise<void> } {
    let running = true;
    const loop = (async () => {
      while (running) {
        const apiOnline = await this.api
          .agentCounts()
          .then((c) => Object.entries(c).reduce((n, [k, v]) => (k.startsWith('online/') ? n + v : n), 0))
          .catch(() => null);
        const welcomed = welcomedNow();
        into.push({ atMs: Date.now() - readyAt, welcomed, apiOnline });
        this.log(`restart: API online ${apiOnline ?? '(no answer)'}, welcomed ${welcomed}`);
        for (let i = 0; i < 20 && running; i++) await sleep(100);
      }
    })();
    return {
      stop: async () => {
        running = false;
        await loop;
      },
    };
  }

  /** Goodbye from every agent, reconnection off. */
  async disconnectAll(): Promise<void> {
    await this.eachSwarm({ type: 'arm', reconnect: false }, 'status');
    await this.eachSwarm({ type: 'close-all' }, 'closed');
  }

  /** Stops what this bench started, by PID: swarms, central, and an embedded PostgreSQL left behind. */
  async shutdown(): Promise<void> {
    await Promise.all(this.swarms.map((s) => s.stop().catch(() => undefined)));
    this.swarms = [];
    await this.stopCentral().catch(() => undefined);
    for (const pid of this.postmasters) {
      // central logs "stopped" a moment before the postmaster is gone: give it that moment
      for (let i = 0; i < 50 && isAlive(pid); i++) await sleep(100);
      if (!isAlive(pid)) continue;
      this.problems.push(`the embedded PostgreSQL (pid ${pid}) outlived central: stopping it`);
      process.kill(pid, 'SIGINT'); // PostgreSQL's "fast" shutdown
      for (let i = 0; i < 100 && isAlive(pid); i++) await sleep(100);
    }
  }

  /** CPU the swarm processes have used so far, ms (the simulated agents' share of the machine). */
  swarmCpuMs(): number {
    return this.swarms.reduce((ms, s) => ms + (s.pid ? cpuMsOf(s.pid) : 0), 0);
  }

  eachSwarm<T extends Parameters<SwarmClient['request']>[1]>(
    command: Parameters<SwarmClient['request']>[0],
    expect: T,
  ) {
    return Promise.all(this.swarms.map((s) => s.request(command, expect, 120_000)));
  }
}
