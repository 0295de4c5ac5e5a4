/**
 * What one secure agent connection costs central, beside the bare `ws` + TLS ceiling in the same run
 * (issue 15 point 2, ADR 36). Opens N wss clients (the connection bench's swarm, a child process per
 * target) against a bare server and against a real central (a child process, embedded PostgreSQL), in
 * alternating order for each round, and prints per connection: server CPU ms, RSS KB while idle,
 * PostgreSQL CPU ms (connect and close), the ratios, and with `--profile` central's top self-time
 * functions during its last connect phase. CPU time, not wall time: the machine may be shared.
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
import { startCpuProfile, type SelfTime } from './cpu-profile.js';

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

interface Phase {
  /** Transactions committed in central's database (the harness's own reads subtracted). */
  commits: number;
  cpuMs: number;
  pgMs: number;
  rssKb: number;
  failed: number;
}

interface Target {
  name: 'bare' | 'central';
  pid: number;
  postmaster?: number;
  swarm: SwarmClient;
  db?: pg.Client;
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
  const pg0 = target.postmaster ? postgresCpuMs(target.postmaster) : 0;
  const rss0 = memoryOf(target.pid).rssKb;
  const commits0 = await commitsOf(target.db);
  const failed = await action();
  await sleep(1500); // batched writes (15 ms), trust anchors (250 ms), session ends
  const commits = (await commitsOf(target.db)) - commits0 - 2;
  n = Math.max(1, n - failed);
  return {
    commits: commits / n,
    cpuMs: (cpuMsOf(target.pid) - cpu0) / n,
    pgMs: target.postmaster ? (postgresCpuMs(target.postmaster) - pg0) / n : 0,
    rssKb: (memoryOf(target.pid).rssKb - rss0) / n,
    failed,
  };
}

async function main(): Promise<void> {
  const args = parseArgs(process.argv.slice(2));
  const dir = mkdtempSync(join(tmpdir(), 'sy-profile-'));
  const children: ChildProcess[] = [];
  const swarms: SwarmClient[] = [];
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
    const bare = spawn(process.execPath, [BARE_SCRIPT, join(dir, 'bare.pem'), join(dir, 'bare.key')], {
      stdio: ['ignore', 'pipe', 'inherit'],
    });
    children.push(bare);
    const barePort = await new Promise<number>((resolve) =>
      bare.stdout.once('data', (chunk: Buffer) => resolve(Number(chunk.toString().trim()))),
    );

    const [http, plain, secure, inspect] = await freePorts(4);
    const digest = new LogDigest();
    central = await CentralProcess.start(
      {
        dataDir: join(dir, 'data'),
        httpPort: http!,
        adminPassword: PASSWORD,
        ...(args.profile ? { inspectPort: inspect! } : {}),
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
        swarm: await SwarmClient.start(
          'central swarm',
          swarmConfig(`wss://127.0.0.1:${secure}`, await api.serverChainPem()),
        ),
      },
    ];
    swarms.push(...targets.map((t) => t.swarm));

    log(
      `profile-connection: ${args.agents} wss clients per target, ${args.rounds} round(s), load ${readFileSync('/proc/loadavg', 'utf8').split(' ').slice(0, 3).join(' ')}`,
    );
    let profile: SelfTime[] | undefined;
    for (let round = 1; round <= args.rounds; round++) {
      const linesBefore = digest.lines;
      const order = round % 2 ? targets : [...targets].reverse();
      const results = new Map<string, { connect: Phase; close: Phase }>();
      for (const target of order) {
        const connect = await measure(target, args.agents, async () => {
          const r = await target.swarm.request(
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
      const row = (name: string, r: { connect: Phase; close: Phase }) =>
        `  ${name.padEnd(8)} connect ${r.connect.cpuMs.toFixed(2)} ms CPU, ${r.connect.rssKb.toFixed(1)} KB RSS, ` +
        `PG ${r.connect.pgMs.toFixed(3)} ms ${r.connect.commits.toFixed(2)} commits, failed ${r.connect.failed} | close ${r.close.cpuMs.toFixed(2)} ms CPU, PG ${r.close.pgMs.toFixed(3)} ms ${r.close.commits.toFixed(2)} commits`;
      log(
        `round ${round} (${order.map((t) => t.name).join(' then ')}; load ${readFileSync('/proc/loadavg', 'utf8').split(' ')[0]}):`,
      );
      log(row('bare', b));
      log(row('central', c));
      log(
        `  central log lines per connection (connect + close): ${((digest.lines - linesBefore) / args.agents).toFixed(2)}`,
      );
      log(
        `  ratio    CPU ${(c.connect.cpuMs / b.connect.cpuMs).toFixed(2)}×, RSS ${(c.connect.rssKb / b.connect.rssKb).toFixed(2)}×, ` +
          `PG per connection (connect + close) ${(c.connect.pgMs + c.close.pgMs).toFixed(3)} ms`,
      );
    }
    // Profiled apart from the measured rounds: the sampling profiler costs central CPU of its own.
    if (args.profile) {
      const central = targets.find((t) => t.name === 'central')!;
      const tables0 = await tableActivity(database);
      const profiling = await startCpuProfile(inspect!);
      await central.swarm.request(
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
      profile = await profiling.stop();
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
    }
    if (profile) {
      const total = profile.reduce((sum, p) => sum + p.ms, 0);
      log(
        `central's busy time while connecting (profiled phase): ${(total / args.agents).toFixed(2)} ms per connection; top self time:`,
      );
      for (const p of profile.slice(0, 30))
        log(
          `  ${(p.share * 100).toFixed(1).padStart(5)} %  ${(p.ms / args.agents).toFixed(3)} ms/conn  ${p.name}`,
        );
    }
    const warnings = digest.top(5);
    if (warnings.length) log(`central's warnings and errors: ${JSON.stringify(warnings)}`);
  } finally {
    await database?.end().catch(() => undefined);
    await Promise.all(swarms.map((s) => s.stop()));
    await central?.stop();
    for (const child of children) child.kill('SIGTERM');
    rmSync(dir, { recursive: true, force: true });
  }
}

main().catch((error: Error) => {
  process.stderr.write(`profile-connection: ${error.stack ?? error.message}\n`);
  process.exit(1);
});
