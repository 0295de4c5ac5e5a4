/**
 * Which SQL statements PostgreSQL spent its time on during a phase: turns on `log_min_duration_statement
 * = 0` in the bench's own embedded server (ALTER SYSTEM, a throw-away cluster), then sums the durations
 * its server.log reports per statement text. Logging every statement slows PostgreSQL: a diagnostic run.
 */
import { closeSync, openSync, readSync, statSync } from 'node:fs';
import pg from 'pg';

export interface StatementCost {
  statement: string;
  /** Executions (execute or simple-query lines). */
  count: number;
  /** parse + bind + execute durations, ms. */
  totalMs: number;
}

export async function logAllStatements(url: string, on: boolean): Promise<void> {
  const client = new pg.Client({ connectionString: url, connectionTimeoutMillis: 10_000 });
  await client.connect();
  try {
    await client.query(
      on
        ? 'ALTER SYSTEM SET log_min_duration_statement = 0'
        : 'ALTER SYSTEM RESET log_min_duration_statement',
    );
    await client.query('SELECT pg_reload_conf()');
  } finally {
    await client.end();
  }
}

export function logSize(file: string): number {
  try {
    return statSync(file).size;
  } catch {
    return 0;
  }
}

const ENTRY = /^\d{4}-\d\d-\d\d \d\d:\d\d:\d\d[.\d]* \S+ \[\d+\] (\w+):\s+(.*)$/;
const DURATION = /^duration: ([\d.]+) ms\s+(parse|bind|execute|statement)[^:]*: (.*)$/;

/** The statements logged after byte `from` of `file`, most expensive first. */
export function statementCosts(file: string, from: number, top = 10): StatementCost[] {
  const text = readFrom(file, from);
  const costs = new Map<string, StatementCost>();
  let current: { key: string[]; ms: number; phase: string } | undefined;
  const flush = () => {
    if (!current) return;
    const statement = current.key.join(' ').replace(/\s+/g, ' ').trim().slice(0, 160);
    const c = costs.get(statement) ?? { statement, count: 0, totalMs: 0 };
    c.totalMs += current.ms;
    if (current.phase === 'execute' || current.phase === 'statement') c.count++;
    costs.set(statement, c);
    current = undefined;
  };
  for (const line of text.split('\n')) {
    const entry = ENTRY.exec(line);
    if (!entry) {
      if (current && /^\s/.test(line)) current.key.push(line); // a statement over several lines
      continue;
    }
    flush();
    const d = entry[1] === 'LOG' ? DURATION.exec(entry[2]) : null;
    if (d) current = { ms: Number(d[1]), phase: d[2], key: [d[3]] };
  }
  flush();
  return [...costs.values()].sort((a, b) => b.totalMs - a.totalMs).slice(0, top);
}

function readFrom(file: string, from: number): string {
  const size = logSize(file);
  if (size <= from) return '';
  const buffer = Buffer.alloc(size - from);
  const fd = openSync(file, 'r');
  try {
    readSync(fd, buffer, 0, buffer.length, from);
  } finally {
    closeSync(fd);
  }
  return buffer.toString('utf8');
}
