/** The "against the ceiling" table of the connection bench: one row per target, ratios to bare `ws`. */
import { markdownTable } from '../connections/report-format.js';
import { type ConnectionBenchResult } from '../connections/results.js';
import { formatRatio, ratiosToBare, type TargetFigures } from './figures.js';

const num = (v: number | undefined, digits: number) =>
  v === undefined || !Number.isFinite(v) ? '–' : v.toFixed(digits);
const sec = (ms: number | undefined) => num(ms === undefined ? undefined : ms / 1000, 1);

const COLUMNS: Array<[header: string, cell: (t: TargetFigures, bare: TargetFigures | undefined) => string]> =
  [
    ['target', (t) => t.target],
    ['processes', (t) => (t.skipped ? '–' : String(t.processes))],
    ['held / N', (t) => (t.skipped ? '–' : `${t.held} / ${t.agents}`)],
    ['connect all, s', (t) => sec(t.connectAllMs)],
    ['RSS per conn, KB', (t) => num(t.kbPerConnection, 1)],
    ['CPU per conn, ms', (t) => num(t.cpuMsPerConnection, 2)],
    ['PostgreSQL CPU per conn, ms', (t) => num(t.dbCpuMsPerConnection, 2)],
    [
      'restart back p50 / p99 / max, s',
      (t) =>
        t.restart
          ? `${sec(t.restart.backMs.p50)} / ${sec(t.restart.backMs.p99)} / ${sec(t.restart.backMs.max)}`
          : '–',
    ],
    ['restart missing', (t) => (t.restart ? String(t.restart.missing) : '–')],
    ['RSS × bare', (t, b) => formatRatio(ratiosToBare(t, b)?.kb)],
    ['CPU × bare', (t, b) => formatRatio(ratiosToBare(t, b)?.cpu)],
    [
      'CPU + PostgreSQL × bare',
      (t, b) => (t.dbCpuMsPerConnection === undefined ? '–' : formatRatio(ratiosToBare(t, b)?.cpuWithDb)),
    ],
    ['connect all × bare', (t, b) => formatRatio(ratiosToBare(t, b)?.connectAll)],
    ['restart p99 × bare', (t, b) => formatRatio(ratiosToBare(t, b)?.restartP99)],
  ];

const loads = (l: number[]) => (l.length === 0 ? '–' : l.map((v) => v.toFixed(2)).join(' '));

/** Lines for one N; none when no ceiling ran. */
export function formatCeiling(r: ConnectionBenchResult): string[] {
  if (!r.ceiling || r.ceiling.length === 0) return [];
  const bare = r.ceiling.find((t) => t.target === 'bare' && !t.skipped);
  const out = [
    `N=${r.agents} against the ceiling (all agents on wss, ECDSA P-256, TLS 1.3; ${r.swarms} swarm process(es), ` +
      `${r.sourceAddresses ?? '?'} source addresses; --workers ${r.workers ?? '(default)'}):`,
    `  load average (1 / 5 / 15 min) at start ${loads(r.loadAverage.start)}, at end ${loads(r.loadAverage.end)}`,
    '',
    ...markdownTable([
      COLUMNS.map(([h]) => h),
      ...r.ceiling.map((t) => COLUMNS.map(([, cell]) => cell(t, bare))),
    ]),
    '',
  ];
  for (const t of r.ceiling) {
    if (t.skipped) out.push(`  ${t.target}: SKIPPED: ${t.skipped}`);
    const failed = Object.entries(t.restart?.failuresAfterReady ?? {}).sort((a, b) => b[1] - a[1]);
    if (failed.length > 0) {
      out.push(
        `  ${t.target} restart: failed attempts after ready: ${failed.map(([k, v]) => `${k} ×${v}`).join(', ')}`,
      );
    }
    if (t.front) {
      out.push(
        `  ${t.target}: nginx's own processes ${num(t.front.kbPerConnection, 1)} KB and ${num(t.front.cpuMsPerConnection, 2)} ms per connection (the rest is its bare ws upstream)`,
      );
    }
  }
  if (r.ceiling.some((t) => t.target === 'switchyard' && t.restart)) {
    out.push(
      "  switchyard's restart ran with half its agents on plain ws (the bench's half/half phase), the ceilings' with all on wss",
    );
  }
  out.push('');
  return out;
}
