/**
 * What one secure agent connection costs central, beside the bare `ws` + TLS ceiling in the same run
 * (issue 15 point 2, ADR 36). Opens N wss clients (the connection bench's swarm, a child process per
 * target) against a bare server and against a real central (a child process, embedded PostgreSQL), in
 * alternating order for each round, and prints per connection: server CPU ms, RSS KB while idle,
 * PostgreSQL CPU ms (connect and close), what each server allocated (garbage included) and its GC
 * pauses (V8's GCProfiler, read over the inspector both run under), the ratios, each server's idle CPU;
 * with `--profile` central's top self-time functions during one more connect phase, then each server's
 * allocations by function (sampling heap profiler). CPU time, not wall time: the machine may be shared.
 *
 *   node dist/bench/profile-connection/profile-connection.js [--agents 2000] [--rounds 2] [--profile]
 */
import { spawn, execFileSync, type ChildProcess } from 'node:child_process';
import { createHash, randomBytes } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import pg from 'pg';
import { AdminApi } from '../connections/admin-api.js';
import { CentralProcess, LogDigest } from '../connections/central-process.js';
import { freePorts, waitForListeners } from '../connections/bench-setup.js';
import { cpuMsOf, memoryOf, postgresCpuMs } from '../connections/proc-stats.js';
import { SwarmClient } from '../connections/swarm-client.js';
import { startAllocationProfile } from './allocation-profile.js';
import { startCpuProfile } from './cpu-profile.js';
import { startGcPhase } from './gc-phase.js';
import { Inspector } from './inspector.js';
import { warnIfOldNode } from '../cli-common.js';
import { threadCpuMs } from './thread-cpu.js';
import { allocationLines, cpuProfileLines, phaseRow, ratioRow, type Phase } from './report-lines.js';

const BARE_SCRIPT = fileURLToPath(new URL('./bare-server.js', import.meta.url));
const PASSWORD = 'profile-connection-admin-1';

interface Args {
  agents: number;
  rounds: number;
  profile: boolean;
  concurrency: number;
}

function parseArgs(argv: string[]): Args {
  const args: Args = { agents: 2000, rounds: 2, profile: false, concurrency: 100 };
  for (let i = 0; i < argv.length; i++) {
    const flag = argv[i];
    const value = () => {
      const n = Number(argv[++i]);
      if (!Number.isInteger(n) || n < 1) throw new Error(`${flag} needs a whole number ≥ 1, got ${argv[i]}`);
      return n;
    };
    if (flag === '--agents') args.agents = value();
    else if (flag === '--rounds') args.rounds = value();
    else if (flag === '--concurrency') args.concurrency = value();
    else if (flag === '--profile') args.profile = true;
    else throw new Error(`unknown option ${flag} (--agents N, --rounds N, --concurrency N, --profile)`);
  }
  if (args.agents > 9000) throw new Error('--agents: at most 9,000 (one swarm process per target)');
  return args;
}

const log = (line: string) => process.stdout.write(`${line}\n`);
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

interface Target {
  name: 'bare' | 'central';
  pid: number;
  postmaster?: number;
  swarm: SwarmClient;
  db?: pg.Client;
  inspector: Inspector;
}

async function commitsOf(db: pg.Client | undefined): Promise<number> {
  if (!db) return 0;
  // Statistics are sent by backends at most every second and cached per transaction: ask for fresh ones.
  await db.query('SELECT pg_stat_clear_snapshot()');
  const r = await db.query<{ n: string }>(
    `SELECT xact_commit::text AS n FROM pg_stat_database WHERE datname = current_database()`,
  );
  return Number(r.rows[0]!.n);
}

/** Per connection made (a failed attempt costs too, but is not a connection). */
/** Scans (seq, index), inserted and updated rows of each table so far. */
async function tableActivity(db: pg.Client | undefined): Promise<Map<string, number[]>> {
  if (!db) return new Map();
  await db.query('SELECT pg_stat_clear_snapshot()');
  const r = await db.query<{ relname: string; s: string; i: string; ins: string; upd: string }>(
    `SELECT relname, coalesce(seq_scan, 0)::text AS s, coalesce(idx_scan, 0)::text AS i,
            n_tup_ins::text AS ins, n_tup_upd::text AS upd FROM pg_stat_user_tables`,
  );
  return new Map(r.rows.map((row) => [row.relname, [row.s, row.i, row.ins, row.upd].map(Number)]));
}

async function measure(target: Target, n: number, action: () => Promise<number>): Promise<Phase> {
  const cpu0 = cpuMsOf(target.pid);
  const threads0 = threadCpuMs(target.pid);
  const pg0 = target.postmaster ? postgresCpuMs(target.postmaster) : 0;
  const rss0 = memoryOf(target.pid).rssKb;
  const commits0 = await commitsOf(target.db);
  const gc = await startGcPhase(target.inspector);
  const started = performance.now();
  const failed = await action();
  const seconds = (performance.now() - started) / 1000;
  await sleep(1500); // batched writes (15 ms), trust anchors (250 ms), session ends
  const collected = await gc.stop();
  const commits = (await commitsOf(target.db)) - commits0 - 2;
  n = Math.max(1, n - failed);
  return {
    gc: {
      allocatedBytes: collected.allocatedBytes / n,
      gcMs: collected.gcMs / n,
      scavenges: collected.scavenges,
      markCompacts: collected.markCompacts,
    },
    seconds,
    commits: commits / n,
    cpuMs: (cpuMsOf(target.pid) - cpu0) / n,
    threads: ((t) => ({
      main: (t.main - threads0.main) / n,
      user: (t.user - threads0.user) / n,
      system: (t.system - threads0.system) / n,
      others: (t.others - threads0.others) / n,
    }))(threadCpuMs(target.pid)),
    pgMs: target.postmaster ? (postgresCpuMs(target.postmaster) - pg0) / n : 0,
    rssKb: (memoryOf(target.pid).rssKb - rss0) / n,
    failed,
  };
}

async function main(): Promise<void> {
  const args = parseArgs(process.argv.slice(2));
  warnIfOldNode('profile-connection');
  const dir = mkdtempSync(join(tmpdir(), 'sy-profile-'));
  const children: ChildProcess[] = [];
  const swarms: SwarmClient[] = [];
  const inspectors: Inspector[] = [];
  let central: CentralProcess | undefined;
  let database: pg.Client | undefined;
  try {
    // The bare server's certificate: ECDSA P-256 like central's own, made for this run only.
    execFileSync(
      'openssl',
      [
        'req',
        '-x509',
        '-newkey',
        'ec',
        '-pkeyopt',
        'ec_paramgen_curve:P-256',
        '-nodes',
        '-days',
        '1',
        '-subj',
        '/CN=localhost',
        '-addext',
        'subjectAltName=DNS:localhost,IP:127.0.0.1',
        '-keyout',
        join(dir, 'bare.key'),
        '-out',
        join(dir, 'bare.pem'),
      ],
      { stdio: 'ignore' },
    );
    const [http, plain, secure, inspect, bareInspect] = await freePorts(5);
    // Both under the inspector (idle unless asked): GC figures of each phase, profiles of the last.
    const bare = spawn(
      process.execPath,
      [`--inspect=127.0.0.1:${bareInspect}`, BARE_SCRIPT, join(dir, 'bare.pem'), join(dir, 'bare.key')],
      { stdio: ['ignore', 'pipe', 'ignore'] },
    );
    children.push(bare);
    const barePort = await new Promise<number>((resolve) =>
      bare.stdout.once('data', (chunk: Buffer) => resolve(Number(chunk.toString().trim()))),
    );

    const digest = new LogDigest();
    central = await CentralProcess.start(
      {
        dataDir: join(dir, 'data'),
        httpPort: http!,
        adminPassword: PASSWORD,
        inspectPort: inspect!,
      },
      join(dir, 'central.log'),
      digest,
      (message) => log(message),
    );
    const api = new AdminApi(`http://127.0.0.1:${http}/`);
    await api.login(PASSWORD);
    await api.listenOn(plain!, secure!);
    await waitForListeners({ api } as never, plain!, secure!);
    const ids = Array.from({ length: args.agents }, (_, i) => `profile-agent-${String(i).padStart(5, '0')}`);
    const credentials = ids.map(() => `sya_${randomBytes(24).toString('base64url')}`);
    const cluster = JSON.parse(readFileSync(join(dir, 'data', 'pg.json'), 'utf8')) as {
      port: number;
      password: string;
    };
    const db = new pg.Client({
      connectionString: `postgres://postgres:${encodeURIComponent(cluster.password)}@127.0.0.1:${cluster.port}/switchyard`,
    });
    await db.connect();
    database = db;
    await db.query(
      `INSERT INTO agents (id, credential_hash, credential_used_at)
       SELECT id, hash, now() FROM unnest($1::text[], $2::text[]) AS s(id, hash)`,
      [ids, credentials.map((c) => createHash('sha256').update(c).digest('hex'))],
    );

    const swarmConfig = (url: string, ca: string) => ({
      agentIds: ids,
      credentials,
      plainUrl: 'ws://127.0.0.1:1',
      secureUrl: url,
      ca,
      enrollmentToken: 'syt_unused',
      localAddresses: Array.from({ length: 8 }, (_, a) => `127.0.0.${a + 2}`),
      concurrency: args.concurrency,
      attemptTimeoutMs: 30_000,
      backoff: { baseMs: 500, capMs: 5000 },
    });
    const targets: Target[] = [
      {
        name: 'bare',
        pid: bare.pid!,
        inspector: await Inspector.connect(bareInspect!),
        swarm: await SwarmClient.start(
          'bare swarm',
          swarmConfig(`wss://127.0.0.1:${barePort}`, readFileSync(join(dir, 'bare.pem'), 'utf8')),
        ),
      },
      {
        name: 'central',
        pid: central.pid,
        postmaster: central.postmasterPid(),
        db,
        inspector: await Inspector.connect(inspect!),
        swarm: await SwarmClient.start(
          'central swarm',
          swarmConfig(`wss://127.0.0.1:${secure}`, await api.serverChainPem()),
        ),
      },
    ];
    swarms.push(...targets.map((t) => t.swarm));
    inspectors.push(...targets.map((t) => t.inspector));

    log(
      `profile-connection: ${args.agents} wss clients per target, ${args.rounds} round(s), load ${readFileSync('/proc/loadavg', 'utf8').split(' ').slice(0, 3).join(' ')}`,
    );
    for (const target of targets) {
      const cpu0 = cpuMsOf(target.pid);
      await sleep(5000);
      log(
        `  ${target.name.padEnd(8)} idle: ${((cpuMsOf(target.pid) - cpu0) / 5).toFixed(1)} ms CPU per second`,
      );
    }
    const connectAll = (target: Target) =>
      target.swarm.request(
        {
          type: 'connect',
          from: 0,
          to: args.agents,
          transport: 'secure',
          useToken: false,
          deadlineMs: 120_000,
        },
        'connected',
        180_000,
      );
    for (let round = 1; round <= args.rounds; round++) {
      const linesBefore = digest.lines;
      const order = round % 2 ? targets : [...targets].reverse();
      const results = new Map<string, { connect: Phase; close: Phase }>();
      for (const target of order) {
        const connect = await measure(target, args.agents, async () => {
          const r = await connectAll(target);
          if (r.failed) log(`  ${target.name}: ${r.failed} failed: ${JSON.stringify(r.failures)}`);
          return r.failed;
        });
        const close = await measure(target, args.agents, async () => {
          await target.swarm.request({ type: 'close-all' }, 'closed', 60_000);
          return 0;
        });
        results.set(target.name, { connect, close });
      }
      const b = results.get('bare')!;
      const c = results.get('central')!;
      log(
        `round ${round} (${order.map((t) => t.name).join(' then ')}; load ${readFileSync('/proc/loadavg', 'utf8').split(' ')[0]}):`,
      );
      log(phaseRow('bare', b));
      log(phaseRow('central', c));
      log(
        `  central log lines per connection (connect + close): ${((digest.lines - linesBefore) / args.agents).toFixed(2)}`,
      );
      log(ratioRow(b, c));
    }
    // Profiled apart from the measured rounds: the profilers cost CPU of their own.
    if (args.profile) {
      const central = targets.find((t) => t.name === 'central')!;
      const tables0 = await tableActivity(database);
      const profiling = await startCpuProfile(central.inspector);
      await connectAll(central);
      const profile = await profiling.stop();
      await sleep(1500);
      const tables1 = await tableActivity(database);
      log('database work while connecting (profiled phase), per connection, by table:');
      for (const [table, after] of tables1) {
        const before = tables0.get(table) ?? [0, 0, 0, 0];
        const d = after.map((v, i) => (v - before[i]!) / args.agents);
        if (d.some((v) => v > 0.001))
          log(
            `  ${table.padEnd(28)} scans ${(d[0]! + d[1]!).toFixed(3)}, inserts ${d[2]!.toFixed(3)}, updates ${d[3]!.toFixed(3)}`,
          );
      }
      await central.swarm.request({ type: 'close-all' }, 'closed', 60_000);
      for (const line of cpuProfileLines(profile, args.agents)) log(line);
      // Where each server allocates while connecting, garbage included (a phase of its own per target).
      for (const target of targets) {
        const sampling = await startAllocationProfile(target.inspector);
        await connectAll(target);
        await sleep(1500);
        const allocations = await sampling.stop();
        await target.swarm.request({ type: 'close-all' }, 'closed', 60_000);
        for (const line of allocationLines(target.name, allocations, args.agents)) log(line);
      }
    }
    const warnings = digest.top(5);
    if (warnings.length) log(`central's warnings and errors: ${JSON.stringify(warnings)}`);
  } finally {
    await database?.end().catch(() => undefined);
    await Promise.all(swarms.map((s) => s.stop()));
    await central?.stop();
    for (const inspector of inspectors) inspector.close();
    for (const child of children) child.kill('SIGTERM');
    rmSync(dir, { recursive: true, force: true });
  }
}

main().catch((error: Error) => {
  process.stderr.write(`profile-connection: ${error.stack ?? error.message}\n`);
  process.exit(1);
});
