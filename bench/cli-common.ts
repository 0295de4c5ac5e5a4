/** What the bench command lines share: argument checks, the progress log, the machine line, Ctrl-C. */
import { writeFileSync } from 'node:fs';
import { cpus, totalmem } from 'node:os';

/**
 * 100,000 agents fit (issue 15): swarms of ≤ ~19,000 sockets dialling from up to 253 source addresses;
 * past that the bench has not been tried.
 */
export const MAX_AGENTS = 100_000;

export function parseAgents(text: string): number[] {
  const list = text.split(',').map((s) => positive(s.trim(), 'agents'));
  for (const n of list) if (n < 2 || n > MAX_AGENTS) fail(`agents must be 2–${MAX_AGENTS}, got ${n}`);
  return list;
}

export function positive(text: string, what: string): number {
  const n = Number(text);
  if (!Number.isInteger(n) || n < 1) fail(`${what} must be a positive whole number, got "${text}"`);
  return n;
}

export function fail(message: string): never {
  console.error(`bench: ${message}`);
  process.exit(2);
}

export function log(line: string): void {
  console.error(`[bench ${new Date().toISOString().slice(11, 19)}] ${line}`);
}

export function machineLine(): string {
  return `${cpus().length} × ${cpus()[0]?.model ?? 'cpu'}, ${(totalmem() / 2 ** 30).toFixed(0)} GiB, Node ${process.versions.node}`;
}

/** Ctrl-C / SIGTERM: the running bench stops its own processes and removes its temp dir; a second one exits. */
export function abortOnSignals(): AbortController {
  const abort = new AbortController();
  for (const signal of ['SIGINT', 'SIGTERM'] as const) {
    process.once(signal, () => {
      log(`${signal}: stopping the bench and what it started`);
      abort.abort(new Error(`interrupted by ${signal}`));
      process.once(signal, () => process.exit(130));
    });
  }
  return abort;
}

/**
 * A shell's `node` may be older than the pinned Node 24 (npm puts that one first on the PATH of its
 * scripts only), and central is started with the bench's own Node: on Node 20 AsyncLocalStorage runs on
 * async hooks and central pays one on every promise (ADR 54), so the figures would not be central's.
 */
export function warnIfOldNode(bench: string): void {
  if (Number(process.versions.node.split('.')[0]) < 24)
    log(
      `${bench}: WARNING: running on Node ${process.versions.node}, central runs on 24; use npm run bench, or PATH=node_modules/.bin:$PATH`,
    );
}

/**
 * One run per N, then the table on stdout (and the JSON file): Ctrl-C skips the runs still to come but
 * reports those done. Exit code 130 when interrupted, 1 when a run failed or found a problem.
 */
export async function runEachN<R extends { error?: string; problems: string[] }>(bench: {
  name: string;
  agents: number[];
  json: string | undefined;
  run: (agents: number, signal: AbortSignal) => Promise<R>;
  report: (results: R[], machine: string) => string;
}): Promise<void> {
  const machine = machineLine();
  log(`${bench.name} for N = ${bench.agents.join(', ')} on ${machine}`);
  const abort = abortOnSignals();
  const results: R[] = [];
  for (const agents of bench.agents) {
    if (abort.signal.aborted) break;
    results.push(await bench.run(agents, abort.signal));
  }
  console.log(bench.report(results, machine));
  if (bench.json) writeFileSync(bench.json, JSON.stringify({ machine, results }, null, 2) + '\n');
  if (abort.signal.aborted) process.exitCode = 130;
  else if (results.some((r) => r.error || r.problems.length > 0)) process.exitCode = 1;
}
