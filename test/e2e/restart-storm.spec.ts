import { spawn, type ChildProcess } from 'node:child_process';
import { createHash, randomBytes } from 'node:crypto';
import { openSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import pg from 'pg';
import { AdminApi } from '../../bench/connections/admin-api.js';
import { SwarmClient } from '../../bench/connections/swarm-client.js';
import { CENTRAL_NODE_FLAGS } from '../../apps/central/src/runtime-flags.js';
import { freePorts } from '../support/ports.js';
import { REPO_ROOT } from '../support/processes.js';
import { createTestDatabase, makeTempDir, type TestDatabase } from '../support/test-database.js';

/**
 * Issue 15 point 7: central restarted twice under a fleet of simulated agents (the connection bench's
 * swarm, two child processes), 2,000 by default (`STORM_AGENTS` changes it): about 35 s on a quiet
 * 2-core machine; at load averages of 20–45 it did not converge in time, so keep heavy work away from it
 * (docs/benchmarks.md, "Restart storm"). Correctness, not timing: it fails unless every agent is welcomed again
 * after each restart and the API's online count agrees with the swarm's open sessions — a storm that does
 * not converge, or a status that runs ahead of the welcomes, cannot land again (ADR 26).
 */
const AGENTS = Number(process.env.STORM_AGENTS ?? 2000);
const SWARMS = 2;
/** Below the default (200): part of the storm meets the admission control and its 503 + Retry-After. */
const HELLOS_AT_ONCE = 100;
const CENTRAL_MAIN = join(REPO_ROOT, 'dist', 'apps', 'central', 'src', 'main.js');
const SWARM_SCRIPT = join(REPO_ROOT, 'dist', 'bench', 'connections', 'agent-swarm.js');
const ADMIN_PASSWORD = 'storm-admin-password-1';

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));
const t0 = Date.now();
/** Progress on stderr: on a loaded machine, where the time went is the first question. */
const note = (line: string) =>
  process.stderr.write(`[storm +${((Date.now() - t0) / 1000).toFixed(1)} s] ${line}\n`);

/**
 * Central as `npm start` runs it, its output into a file: a pipe read by a busy test process would block
 * central's (synchronous) log writes and make the storm about the test harness.
 */
class CentralInFile {
  readonly child: ChildProcess;
  private readonly from: number;

  constructor(
    env: Record<string, string>,
    readonly logFile: string,
  ) {
    this.from = this.log().length;
    const out = openSync(logFile, 'a');
    this.child = spawn(process.execPath, [...CENTRAL_NODE_FLAGS, CENTRAL_MAIN], {
      env: { PATH: process.env.PATH ?? '', HOME: process.env.HOME ?? '/root', ...env },
      stdio: ['ignore', out, out],
    });
  }

  log(): string {
    try {
      return readFileSync(this.logFile, 'utf8');
    } catch {
      return '';
    }
  }

  async ready(timeoutMs: number): Promise<void> {
    const deadline = Date.now() + timeoutMs;
    while (!this.log().slice(this.from).includes('Switchyard central is running')) {
      if (this.child.exitCode !== null || Date.now() > deadline)
        throw new Error(`central did not become ready:\n${this.log().slice(-3000)}`);
      await sleep(200);
    }
  }

  async stop(): Promise<number | null> {
    if (this.child.exitCode !== null || this.child.signalCode !== null) return this.child.exitCode;
    const exited = new Promise<number | null>((resolve) => this.child.once('exit', (code) => resolve(code)));
    this.child.kill('SIGTERM');
    const timer = setTimeout(() => this.child.kill('SIGKILL'), 60_000);
    const code = await exited;
    clearTimeout(timer);
    return code;
  }
}

describe('restart storm (central restarted twice under a fleet of simulated agents)', () => {
  let db: TestDatabase | undefined;
  let central: CentralInFile | undefined;
  const swarms: SwarmClient[] = [];
  const env: Record<string, string> = {};
  let logFile = '';

  afterAll(async () => {
    await Promise.all(swarms.map((s) => s.stop()));
    await central?.stop();
    await db?.drop();
  });

  const startCentral = async (): Promise<AdminApi> => {
    central = new CentralInFile(env, logFile);
    await central.ready(120_000);
    const api = new AdminApi(`http://127.0.0.1:${env.SWITCHYARD_HTTP_PORT}/`);
    await api.login(ADMIN_PASSWORD);
    return api;
  };
  const onlineInApi = async (api: AdminApi) =>
    Object.entries(await api.agentCounts())
      .filter(([key]) => key.startsWith('online/'))
      .reduce((n, [, count]) => n + count, 0);
  const swarmStatus = async () => {
    const replies = await Promise.all(swarms.map((s) => s.request({ type: 'status' }, 'status', 60_000)));
    return {
      open: replies.reduce((n, r) => n + r.open, 0),
      welcomedSinceMark: replies.reduce((n, r) => n + r.welcomedSinceMark, 0),
    };
  };
  const eachSwarm = (command: Parameters<SwarmClient['request']>[0]) =>
    Promise.all(swarms.map((s) => s.request(command, 'status', 60_000)));

  /** The agents are enrolled straight into the database: this test is about reconnecting, not enrolling. */
  const seedAgents = async (ids: string[], credentials: string[]) => {
    let url = db?.url;
    if (!url) {
      const cluster = JSON.parse(readFileSync(join(env.SWITCHYARD_DATA_DIR!, 'pg.json'), 'utf8')) as {
        port: number;
        password: string;
      };
      url = `postgres://postgres:${encodeURIComponent(cluster.password)}@127.0.0.1:${cluster.port}/switchyard`;
    }
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
  };

  it('welcomes every agent again after each restart, and the API shows exactly them online', async () => {
    const [http, plain, secure] = await freePorts(3);
    // The embedded PostgreSQL of `npm start`, or a fresh database on CI's external server.
    if (process.env.DATABASE_URL) db = await createTestDatabase();
    const dir = makeTempDir('sy-storm-');
    logFile = join(dir, 'central.log');
    Object.assign(env, {
      SWITCHYARD_DATA_DIR: join(dir, 'data'),
      SWITCHYARD_HTTP_PORT: String(http),
      SWITCHYARD_ADMIN_PASSWORD: ADMIN_PASSWORD,
      SWITCHYARD_MAX_CONCURRENT_HELLOS: String(HELLOS_AT_ONCE),
      SWITCHYARD_WORKERS: '1', // one process, as this storm was measured (cluster mode: cluster-mode.spec.ts)
      ...(db ? { DATABASE_URL: db.url } : {}),
      NO_COLOR: '1',
    });
    let api = await startCentral();
    await api.listenOn(plain!, secure!);
    for (let i = 0; ; i++) {
      const bound = await api.listeners();
      if (bound.some((l) => l.kind === 'secure' && l.port === secure)) break;
      if (i > 100) throw new Error('the secure listener did not come up');
      await sleep(100);
    }
    const ids = Array.from({ length: AGENTS }, (_, i) => `storm-agent-${String(i).padStart(5, '0')}`);
    const credentials = ids.map(() => `sya_${randomBytes(24).toString('base64url')}`);
    await seedAgents(ids, credentials);
    const ca = await api.serverChainPem();
    const size = Math.ceil(AGENTS / SWARMS);
    for (let i = 0; i < SWARMS; i++) {
      swarms.push(
        await SwarmClient.start(
          `storm swarm ${i + 1}`,
          {
            agentIds: ids.slice(i * size, (i + 1) * size),
            credentials: credentials.slice(i * size, (i + 1) * size),
            plainUrl: `ws://127.0.0.1:${plain}`,
            secureUrl: `wss://127.0.0.1:${secure}`,
            ca,
            enrollmentToken: 'syt_unused',
            // Spread over source addresses: the storms must not run out of ephemeral ports.
            localAddresses: Array.from({ length: 8 }, (_, a) => `127.0.0.${a + 2}`),
            concurrency: 50,
            attemptTimeoutMs: 30_000,
            backoff: { baseMs: 500, capMs: 5000 },
          },
          SWARM_SCRIPT,
        ),
      );
    }
    // A quarter of each swarm on wss, the rest on ws.
    await Promise.all(
      swarms.map(async (swarm) => {
        const n = size;
        for (const [from, to, transport] of [
          [0, n - Math.floor(n / 4), 'plain'],
          [n - Math.floor(n / 4), n, 'secure'],
        ] as const) {
          const r = await swarm.request(
            { type: 'connect', from, to, transport, useToken: false, deadlineMs: 120_000 },
            'connected',
            180_000,
          );
          expect({ transport, ok: r.ok, failures: r.failures }).toEqual({
            transport,
            ok: to - from,
            failures: {},
          });
        }
      }),
    );
    note(`${AGENTS} agents connected`);
    expect(await onlineInApi(api)).toBe(AGENTS);

    for (const round of [1, 2]) {
      await eachSwarm({ type: 'arm', reconnect: true });
      await eachSwarm({ type: 'mark' });
      expect(await central!.stop()).toBe(0);
      note(`round ${round}: central stopped`);
      api = await startCentral();
      note(`round ${round}: central ready`);
      // Until every agent is back, the API never shows more online than the swarm holds welcomed
      // sessions, give or take the hellos in progress (written just before their welcome).
      const deadline = Date.now() + 180_000;
      let status = await swarmStatus();
      while (status.welcomedSinceMark < AGENTS) {
        if (Date.now() > deadline) {
          throw new Error(
            `round ${round}: ${status.welcomedSinceMark}/${AGENTS} agents back after 180 s; central said:\n${central!.log().slice(-3000)}`,
          );
        }
        const online = await onlineInApi(api);
        const after = await swarmStatus();
        expect({ round, online, open: after.open }).toEqual({
          round,
          online: Math.min(online, after.open + HELLOS_AT_ONCE),
          open: after.open,
        });
        status = after;
        note(`round ${round}: ${status.welcomedSinceMark}/${AGENTS} back, API online ${online}`);
        await sleep(2000);
      }
      expect(status.open).toBe(AGENTS);
      // Once all are back, the API agrees exactly (a batch of starts may still be committing: briefly).
      let online = 0;
      for (let i = 0; i < 40 && online !== AGENTS; i++) {
        online = await onlineInApi(api);
        if (online !== AGENTS) await sleep(250);
      }
      expect({ round, online }).toEqual({ round, online: AGENTS });
    }
  }, 600_000);
});
