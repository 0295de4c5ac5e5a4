import { spawn, type ChildProcess } from 'node:child_process';
import { createHash, randomBytes } from 'node:crypto';
import { existsSync, openSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import pg from 'pg';
import { AdminApi } from '../../bench/connections/admin-api.js';
import { SwarmClient } from '../../bench/connections/swarm-client.js';
import { liveProcess } from '../../apps/central/src/database/postmaster.js';
import { CENTRAL_NODE_FLAGS } from '../../apps/central/src/runtime-flags.js';
import { freePorts } from '../support/ports.js';
import { REPO_ROOT } from '../support/processes.js';
import { createTestDatabase, makeTempDir, type TestDatabase } from '../support/test-database.js';

/**
 * Issue 15 point 3 (ADR 33): central in cluster mode as a real process tree, a primary and two workers,
 * under 200 simulated agents (the connection bench's swarm). Both workers hold agents; a worker killed
 * with SIGKILL is replaced, its agents come back through the workers, and the API never counts them
 * online meanwhile; a port change rebinds on both; SIGTERM leaves no worker and no PostgreSQL behind.
 */
const AGENTS = 200;
const CENTRAL_MAIN = join(REPO_ROOT, 'dist', 'apps', 'central', 'src', 'main.js');
const SWARM_SCRIPT = join(REPO_ROOT, 'dist', 'bench', 'connections', 'agent-swarm.js');
const ADMIN_PASSWORD = 'cluster-admin-password-1';

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

async function until<T>(what: string, timeoutMs: number, probe: () => Promise<T | undefined>): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await probe().catch(() => undefined);
    if (value !== undefined) return value;
    if (Date.now() > deadline) throw new Error(`${what}: not within ${timeoutMs / 1000} s`);
    await sleep(250);
  }
}

/** A live process (a zombie left to a container's pid 1 does not count, ADR 27). */
const runs = (pid: number) => liveProcess(pid) !== undefined;

/** The worker processes of the primary, from /proc (children of its main thread). */
const childrenOf = (pid: number): number[] =>
  readFileSync(`/proc/${pid}/task/${pid}/children`, 'utf8').trim().split(/\s+/).filter(Boolean).map(Number);

describe('cluster mode (SWITCHYARD_WORKERS=2, a primary and two worker nodes)', () => {
  let db: TestDatabase | undefined;
  let central: ChildProcess | undefined;
  let swarm: SwarmClient | undefined;
  let logFile = '';
  const log = () => (existsSync(logFile) ? readFileSync(logFile, 'utf8') : '');

  afterAll(async () => {
    await swarm?.stop();
    if (central && central.exitCode === null && central.signalCode === null) {
      central.kill('SIGKILL');
      for (const pid of childrenOf(central.pid!)) process.kill(pid, 'SIGKILL');
    }
    await db?.drop();
  });

  it('spreads agents over both workers, replaces a killed one, rebinds both, and stops everything', async () => {
    const [http, plain, secure, plain2] = await freePorts(4);
    if (process.env.DATABASE_URL) db = await createTestDatabase();
    const dir = makeTempDir('sy-cluster-');
    const dataDir = join(dir, 'data');
    logFile = join(dir, 'central.log');
    const out = openSync(logFile, 'a');
    // Output into a file, as the storm test does: a pipe read by a busy test would slow central's logs.
    central = spawn(process.execPath, [...CENTRAL_NODE_FLAGS, CENTRAL_MAIN], {
      env: {
        PATH: process.env.PATH ?? '',
        HOME: process.env.HOME ?? '/root',
        SWITCHYARD_WORKERS: '2',
        SWITCHYARD_DATA_DIR: dataDir,
        SWITCHYARD_HTTP_PORT: String(http),
        SWITCHYARD_ADMIN_PASSWORD: ADMIN_PASSWORD,
        ...(db ? { DATABASE_URL: db.url } : {}),
        NO_COLOR: '1',
      },
      stdio: ['ignore', out, out],
    });
    const exited = new Promise<number | null>((resolve) => central!.once('exit', (code) => resolve(code)));
    await until('central running', 120_000, async () => {
      if (central!.exitCode !== null) throw new Error(`central exited:\n${log()}`);
      return log().includes('Switchyard central is running (2 workers') ? true : undefined;
    }).catch((error: Error) => {
      throw new Error(`${error.message}\n${log().slice(-3000)}`);
    });
    const primary = central.pid!;
    const workers = childrenOf(primary);
    expect(workers).toHaveLength(2);
    // One prefix per process in the log.
    expect(log()).toMatch(/^\[primary\] cluster mode: 2 workers/m);
    expect(log()).toMatch(/^\[worker 1\] /m);
    expect(log()).toMatch(/^\[worker 2\] /m);

    const api = new AdminApi(`http://127.0.0.1:${http}/`);
    await api.login(ADMIN_PASSWORD);
    // /api/health and /api/ready answer from whichever worker accepts (the admin port is shared).
    const answeredBy = new Set<string>();
    for (let i = 0; i < 40 && answeredBy.size < 2; i++) {
      const res = await fetch(`http://127.0.0.1:${http}/api/health`, { headers: { connection: 'close' } });
      answeredBy.add(((await res.json()) as { nodeId: string }).nodeId);
      expect((await fetch(`http://127.0.0.1:${http}/api/ready`)).status).toBe(200);
    }
    expect(answeredBy.size).toBeGreaterThanOrEqual(1);

    const boundOn = async (port: number) => {
      const nodes = await api.call<
        Array<{ nodeId: string; listeners: Array<{ kind: string; port: number }> }>
      >('GET', '/api/listeners');
      return nodes.filter((n) => n.listeners.some((l) => l.kind === 'plain' && l.port === port)).length;
    };
    await api.listenOn(plain!, secure!);
    // The settings change reaches the other worker through NOTIFY; its heartbeat then shows the new port.
    await until('both workers bound the plain port', 30_000, async () =>
      (await boundOn(plain!)) === 2 ? true : undefined,
    );

    const ids = Array.from({ length: AGENTS }, (_, i) => `cluster-agent-${String(i).padStart(4, '0')}`);
    const credentials = ids.map(() => `sya_${randomBytes(24).toString('base64url')}`);
    const url =
      db?.url ?? (JSON.parse(readFileSync(join(dataDir, 'pg.json'), 'utf8')) as { url: string }).url;
    const client = new pg.Client({ connectionString: url });
    await client.connect();
    try {
      await client.query(
        `INSERT INTO agents (id, credential_hash, credential_used_at)
         SELECT id, hash, now() FROM unnest($1::text[], $2::text[]) AS s(id, hash)`,
        [ids, credentials.map((c) => createHash('sha256').update(c).digest('hex'))],
      );
    } finally {
      await client.end();
    }
    swarm = await SwarmClient.start(
      'cluster swarm',
      {
        agentIds: ids,
        credentials,
        plainUrl: `ws://127.0.0.1:${plain}`,
        secureUrl: `wss://127.0.0.1:${secure}`,
        ca: await api.serverChainPem(),
        enrollmentToken: 'syt_unused',
        localAddresses: Array.from({ length: 4 }, (_, a) => `127.0.0.${a + 2}`),
        concurrency: 50,
        attemptTimeoutMs: 30_000,
        backoff: { baseMs: 200, capMs: 2000 },
      },
      SWARM_SCRIPT,
    );
    for (const [from, to, transport] of [
      [0, 150, 'plain'],
      [150, AGENTS, 'secure'],
    ] as const) {
      const r = await swarm.request(
        { type: 'connect', from, to, transport, useToken: false, deadlineMs: 60_000 },
        'connected',
        90_000,
      );
      expect({ transport, ok: r.ok, failures: r.failures }).toEqual({
        transport,
        ok: to - from,
        failures: {},
      });
    }
    const online = async () =>
      Object.entries(await api.agentCounts())
        .filter(([key]) => key.startsWith('online/'))
        .reduce((n, [, count]) => n + count, 0);
    const swarmStatus = () => swarm!.request({ type: 'status' }, 'status', 30_000);
    expect(await online()).toBe(AGENTS);

    // Both workers hold agents (the kernel spreads connections over their SO_REUSEPORT sockets).
    const perNode = async () => {
      const nodes = await api.call<Array<{ nodeId: string; listeners: Array<{ connections: number }> }>>(
        'GET',
        '/api/listeners',
      );
      return new Map(nodes.map((n) => [n.nodeId, n.listeners.reduce((s, l) => s + l.connections, 0)]));
    };
    const before = await until('both workers report their agents', 20_000, async () => {
      const counts = await perNode();
      const total = [...counts.values()].reduce((a, b) => a + b, 0);
      return counts.size === 2 && total === AGENTS ? counts : undefined;
    });
    for (const n of before.values()) expect(n).toBeGreaterThan(0);

    // `/metrics` answers for the whole node from whichever worker the scrape reaches: the connections
    // summed over both workers, per-worker figures (sockets, event-loop lag) under a `worker` label.
    const samples = (text: string, name: string) =>
      text
        .split('\n')
        .filter((line) => line.startsWith(`${name}{`) || line.startsWith(`${name} `))
        .map((line) => ({
          labels: line.slice(name.length, line.lastIndexOf(' ')),
          value: Number(line.split(' ').pop()),
        }));
    for (let scrape = 0; scrape < 6; scrape++) {
      const res = await fetch(`http://127.0.0.1:${http}/metrics`, { headers: { connection: 'close' } });
      expect(res.status).toBe(200);
      const text = await res.text();
      const connections = samples(text, 'switchyard_listener_connections').reduce((n, s) => n + s.value, 0);
      expect({ scrape, connections }).toEqual({ scrape, connections: AGENTS });
      const open = samples(text, 'switchyard_agent_sockets').filter((s) => s.labels.includes('kind="open"'));
      expect(open.map((s) => /worker="(\d+)"/.exec(s.labels)?.[1]).sort()).toEqual(['1', '2']);
      expect(open.reduce((n, s) => n + s.value, 0)).toBeGreaterThanOrEqual(AGENTS);
      for (const s of open) expect(s.value).toBeGreaterThan(0);
      const lag = samples(text, 'switchyard_central_nodejs_eventloop_lag_seconds');
      expect(lag.map((s) => /worker="(\d+)"/.exec(s.labels)?.[1]).sort()).toEqual(['1', '2']);
      expect(samples(text, 'switchyard_node_workers')).toEqual([
        { labels: '{state="answered"}', value: 2 },
        { labels: '{state="missing"}', value: 0 },
      ]);
      // Fleet-wide figures come from the database once, not once per worker.
      const onlineShown = samples(text, 'switchyard_agents')
        .filter((s) => s.labels.includes('status="online"'))
        .reduce((n, s) => n + s.value, 0);
      expect(onlineShown).toBe(AGENTS);
    }

    // SIGKILL one worker: the primary forgets its node at once and starts another worker.
    await swarm.request({ type: 'arm', reconnect: true }, 'status');
    await swarm.request({ type: 'mark' }, 'status');
    const victim = workers[1]!;
    const logBefore = log().length;
    process.kill(victim, 'SIGKILL');
    const forgotten = await until(
      'the primary forgot the dead worker',
      20_000,
      async () =>
        /worker \d \(pid \d+\) exited with signal SIGKILL; node (\S+) forgotten, (\d+) agent\(s\) marked disconnected/.exec(
          log().slice(logBefore),
        ) ?? undefined,
    );
    expect(before.has(forgotten[1]!)).toBe(true);
    // From now on the API never shows more online than the swarm holds open or has a hello in flight on
    // (central counts an agent online before its welcome reaches the swarm). Read after the API, so an
    // agent shown online is by then welcomed or still awaiting its welcome — unless it is a phantom.
    const deadline = Date.now() + 90_000;
    for (;;) {
      const shown = await online();
      const { open: held, helloing } = await swarmStatus();
      expect({ shown, held, helloing, within: shown <= held + helloing }).toEqual({
        shown,
        held,
        helloing,
        within: true,
      });
      if (held === AGENTS && shown === AGENTS) break;
      if (Date.now() > deadline)
        throw new Error(`${held} open, ${shown} online after 90 s:\n${log().slice(-3000)}`);
      await sleep(500);
    }
    const replacement = await until('a new worker replaced the killed one', 60_000, async () => {
      const now = childrenOf(primary);
      return now.length === 2 && !now.includes(victim) ? now : undefined;
    });
    await until('the replacement runs a node', 60_000, async () =>
      /worker \d \(pid \d+\) runs node/.test(log().slice(logBefore)) ? true : undefined,
    );
    const after = await until('the agents back on live nodes', 30_000, async () => {
      const counts = await perNode();
      return counts.size === 2 && [...counts.values()].reduce((a, b) => a + b, 0) === AGENTS
        ? counts
        : undefined;
    });
    expect(after.has(forgotten[1]!)).toBe(false);

    // A port change applies on both workers, the replacement included.
    await api.call('PUT', '/api/settings/websocket', {
      plain: { port: plain2, bindAddress: '127.0.0.1' },
      secure: { port: secure, bindAddress: '127.0.0.1', enabled: true },
    });
    await until('both workers moved the plain port', 30_000, async () =>
      (await boundOn(plain2!)) === 2 && (await boundOn(plain!)) === 0 ? true : undefined,
    );
    await swarm.request({ type: 'arm', reconnect: false }, 'status');

    // SIGTERM to the primary: the workers drain, then PostgreSQL stops; nothing is left running.
    const postmaster = db
      ? undefined
      : Number(readFileSync(join(dataDir, 'pg', 'postmaster.pid'), 'utf8').split('\n')[0]);
    central.kill('SIGTERM');
    expect(await exited).toBe(0);
    for (const pid of [...replacement, ...workers])
      expect({ pid, runs: runs(pid) }).toEqual({ pid, runs: false });
    if (postmaster !== undefined) {
      expect(runs(postmaster)).toBe(false);
      expect(existsSync(join(dataDir, 'pg', 'postmaster.pid'))).toBe(false);
    }
    expect(log()).toMatch(/\[primary\] SIGTERM: stopping 2 worker\(s\), then the database/);
  }, 300_000);
});
