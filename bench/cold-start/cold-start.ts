/**
 * Cold start to ready on an existing data directory (issue 15 target: ≤ 3 s). Starts central once to
 * create the data directory, stops it, then starts it `--runs` times (one process, and with `--workers 2`
 * in cluster mode) and prints, per run, the time from spawn to the first `200` of `/api/ready` and to the
 * "running" banner, the CPU seconds central and the embedded PostgreSQL spent until ready (on a loaded
 * machine the wall clock mostly measures the wait for a core), and the moment each phase's log line
 * appeared (embedded PostgreSQL up, Nest modules created, listeners bound).
 *
 *     npm run build && npx node dist/bench/cold-start/cold-start.js --runs 3 --workers 1,2
 *
 * (`npx node`: the project's Node 24, as `npm start` runs central; a system Node 20 has no `reusePort`.)
 */
import { spawn } from 'node:child_process';
import { chmodSync, mkdtempSync, readFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { CENTRAL_NODE_FLAGS } from '../../apps/central/src/runtime-flags.js';
import { fail, machineLine, positive } from '../cli-common.js';
import { removeBenchDataDir } from '../connections/bench-data-dir.js';

const CENTRAL_MAIN = fileURLToPath(new URL('../../apps/central/src/main.js', import.meta.url));

/** Log lines that mark a phase of the boot, in the order they normally appear. */
const PHASES: Array<[string, RegExp]> = [
  ['cluster primary up', /\[primary\] cluster mode/],
  ['embedded PostgreSQL up', /embedded PostgreSQL (started|running)|adopting the embedded/i],
  ['Nest modules created', /agent connections: at most/],
  ['listeners bound', /WebSocket settings version \d+ applied/],
  ['banner', /Switchyard central is running/],
];

interface Run {
  workers: string;
  readyMs: number;
  /** CPU seconds spent until ready: central's processes (workers included), and the embedded server's. */
  cpu: { central: number; postgres: number };
  bannerMs: number;
  lines: Array<{ ms: number; line: string }>;
}

/** utime + stime (+ those of reaped children) of a process, in seconds; 0 when it is gone. */
function cpuSeconds(pid: number): number {
  try {
    const fields = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1]!.split(' ');
    // Fields 14–17 of stat (utime, stime, cutime, cstime) are 12–15 after the command.
    return fields.slice(11, 15).reduce((sum, f) => sum + Number(f), 0) / 100;
  } catch {
    return 0;
  }
}

function childrenOf(pid: number): number[] {
  try {
    return readFileSync(`/proc/${pid}/task/${pid}/children`, 'utf8')
      .trim()
      .split(/\s+/)
      .filter(Boolean)
      .map(Number);
  } catch {
    return [];
  }
}

function processCpu(dataDir: string, centralPid: number): Run['cpu'] {
  const central = [centralPid, ...childrenOf(centralPid)].reduce((sum, pid) => sum + cpuSeconds(pid), 0);
  let postgres = 0;
  try {
    const postmaster = Number(readFileSync(join(dataDir, 'pg', 'postmaster.pid'), 'utf8').split('\n')[0]);
    postgres = [postmaster, ...childrenOf(postmaster)].reduce((sum, pid) => sum + cpuSeconds(pid), 0);
  } catch {
    // no embedded server
  }
  return { central, postgres };
}

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const s = createServer();
    s.once('error', reject);
    s.listen(0, '127.0.0.1', () => {
      const port = (s.address() as { port: number }).port;
      s.close(() => resolve(port));
    });
  });
}

async function startOnce(dataDir: string, workers: string, quiet = false): Promise<Run> {
  // Agent ports of its own (the settings' default 8787/9150 may be taken on a shared machine).
  const [http, plain, secure] = [await freePort(), await freePort(), await freePort()];
  const started = performance.now();
  const child = spawn(process.execPath, [...CENTRAL_NODE_FLAGS, CENTRAL_MAIN], {
    env: {
      PATH: process.env.PATH ?? '',
      HOME: process.env.HOME ?? '/root',
      SWITCHYARD_DATA_DIR: dataDir,
      SWITCHYARD_HTTP_HOST: '127.0.0.1',
      SWITCHYARD_HTTP_PORT: String(http),
      SWITCHYARD_ADMIN_PASSWORD: 'cold-start-password-1',
      SWITCHYARD_WORKERS: workers,
      SWITCHYARD_AGENT_PLAIN_PORT: String(plain),
      SWITCHYARD_AGENT_SECURE_PORT: String(secure),
      NO_COLOR: '1',
    },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const lines: Run['lines'] = [];
  let bannerMs = 0;
  for (const stream of [child.stdout, child.stderr]) {
    let partial = '';
    stream.setEncoding('utf8');
    stream.on('data', (chunk: string) => {
      const parts = (partial + chunk).split('\n');
      partial = parts.pop() ?? '';
      const ms = performance.now() - started;
      for (const line of parts) {
        lines.push({ ms, line });
        if (!bannerMs && line.includes('Switchyard central is running')) bannerMs = ms;
      }
    });
  }
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  let readyMs = 0;
  let cpu: Run['cpu'] = { central: 0, postgres: 0 };
  const deadline = Date.now() + 120_000;
  while (!readyMs) {
    if (child.exitCode !== null) fail(`central exited:\n${lines.map((l) => l.line).join('\n')}`);
    if (Date.now() > deadline) fail('central not ready within 120 s');
    try {
      const res = await fetch(`http://127.0.0.1:${http}/api/ready`, { headers: { connection: 'close' } });
      if (res.status === 200) {
        readyMs = performance.now() - started;
        cpu = processCpu(dataDir, child.pid!);
      }
    } catch {
      // not listening yet
    }
    if (!readyMs) await new Promise((r) => setTimeout(r, 20));
  }
  while (!bannerMs && Date.now() < deadline) await new Promise((r) => setTimeout(r, 20));
  child.kill('SIGTERM');
  await exited;
  if (!quiet) report({ workers, readyMs, cpu, bannerMs, lines });
  return { workers, readyMs, cpu, bannerMs, lines };
}

function report(run: Run): void {
  const phases = PHASES.map(([name, pattern]) => {
    const hit = run.lines.find((l) => pattern.test(l.line));
    return `${name} ${hit ? `${(hit.ms / 1000).toFixed(2)} s` : '—'}`;
  });
  console.log(
    `workers ${run.workers}: ready ${(run.readyMs / 1000).toFixed(2)} s (CPU until then: central ${run.cpu.central.toFixed(2)} s, ` +
      `PostgreSQL ${run.cpu.postgres.toFixed(2)} s), banner ${(run.bannerMs / 1000).toFixed(2)} s (${phases.join(', ')}); ` +
      `load ${loadavg()[0]!.toFixed(1)}`,
  );
}

const USAGE = `usage: node dist/bench/cold-start/cold-start.js [--runs 3] [--workers 1,2] [--lines]

  --runs N        starts per worker count, after the first start that creates the data directory (3)
  --workers LIST  SWITCHYARD_WORKERS values to start with, comma-separated: numbers or auto (1,2)
  --lines         print the first run's log lines with their times, per worker count
  --help          this text`;

/** The command line, checked: an unknown flag or a bad value stops the bench with what is wrong. */
function parseColdStartArgs(args: string[]): { runs: number; workerCounts: string[]; verbose: boolean } {
  const known = new Set(['--runs', '--workers', '--lines', '--help']);
  for (let i = 0; i < args.length; i++) {
    const arg = args[i]!;
    if (!known.has(arg)) fail(`unknown argument ${arg}\n${USAGE}`);
    if (arg === '--runs' || arg === '--workers') i++;
  }
  const value = (name: string, fallback: string) => {
    const at = args.indexOf(`--${name}`);
    return at >= 0 ? (args[at + 1] ?? fail(`--${name} needs a value`)) : fallback;
  };
  const runs = positive(value('runs', '3'), 'runs');
  const workerCounts = value('workers', '1,2').split(',');
  for (const w of workerCounts) {
    if (w !== 'auto' && !/^[1-9]\d*$/.test(w))
      fail(`--workers: "${w}" is neither a whole number ≥ 1 nor auto`);
  }
  return { runs, workerCounts, verbose: args.includes('--lines') };
}

async function main(): Promise<void> {
  const args = process.argv.slice(2);
  if (args.includes('--help')) {
    console.log(USAGE);
    return;
  }
  const { runs, workerCounts, verbose } = parseColdStartArgs(args);
  console.log(`cold start to ready on an existing data directory; ${machineLine()}`);
  const dir = mkdtempSync(join(tmpdir(), 'sy-cold-start-'));
  chmodSync(dir, 0o755); // the embedded server runs as the postgres user when central runs as root
  const dataDir = join(dir, 'data');
  try {
    const first = await startOnce(dataDir, '1', true);
    console.log(`first start (creates the data directory): ready ${(first.readyMs / 1000).toFixed(2)} s`);
    for (const workers of workerCounts) {
      for (let i = 0; i < runs; i++) {
        const run = await startOnce(dataDir, workers);
        if (verbose && i === 0)
          for (const l of run.lines) console.log(`  ${(l.ms / 1000).toFixed(3).padStart(7)} ${l.line}`);
      }
    }
  } finally {
    removeBenchDataDir(dir, false, (line) => console.log(line));
  }
}

await main();
