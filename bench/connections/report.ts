import { formatCeiling } from '../ceiling/ceiling-report.js';
import { type ConnectPhaseResult, type ConnectionBenchResult, type LoadFigures } from './results.js';
import { failureCounts, markdownTable } from './report-format.js';

type Row = [label: string, value: (r: ConnectionBenchResult) => string];

const kb = (v: number | undefined) => (v === undefined || !Number.isFinite(v) ? '–' : v.toFixed(1));
const ms = (v: number | undefined, digits = 2) =>
  v === undefined || !Number.isFinite(v) ? '–' : v.toFixed(digits);
const s = (v: number | undefined) => (v === undefined ? '–' : (v / 1000).toFixed(1));
const cores = (l: LoadFigures) => `${l.centralCores.toFixed(2)} / ${l.swarmCores.toFixed(2)}`;
const mb = (v: number | undefined) => (v === undefined ? '–' : (v / 1024).toFixed(0));

function phaseRows(label: string, pick: (r: ConnectionBenchResult) => ConnectPhaseResult | undefined): Row[] {
  const p = (f: (x: ConnectPhaseResult) => string) => (r: ConnectionBenchResult) => {
    const x = pick(r);
    return x ? f(x) : '–';
  };
  return [
    [`${label}: agents welcomed / tried`, p((x) => `${x.ok} / ${x.agents}`)],
    [`${label}: wall time to connect, s`, p((x) => s(x.wallMs))],
    [
      `${label}: connect latency p50 / p99, ms`,
      p((x) => `${ms(x.latencyMs.p50, 0)} / ${ms(x.latencyMs.p99, 0)}`),
    ],
    [`${label}: central CPU per connection, ms`, p((x) => ms(x.centralCpuMsPerAgent))],
    [`${label}: PostgreSQL CPU per connection, ms`, p((x) => ms(x.dbCpuMsPerAgent))],
    [`${label}: central RSS before → after, MB`, p((x) => `${mb(x.rssBeforeKb)} → ${mb(x.rssAfterKb)}`)],
    [`${label}: central RSS per agent, KB`, p((x) => kb(x.kbPerAgent))],
    [`${label}: busy cores central / agents`, p((x) => cores(x.load))],
    [`${label}: SYNs dropped (accept queue full)`, p((x) => String(x.load.listenOverflows))],
  ];
}

const ROWS: Row[] = [
  ...phaseRows('enroll (plain, token)', (r) => r.enroll),
  ...phaseRows('plain half', (r) => r.plain),
  ...phaseRows('secure half', (r) => r.secure),
  ['half/half: central RSS per agent, KB', (r) => kb(r.mixedKbPerAgent)],
  ['restart: old central stop (SIGTERM → exit), s', (r) => s(r.restart?.stopMs)],
  ['restart: new central boot (spawn → ready), s', (r) => s(r.restart?.bootMs)],
  [
    'restart: agents back / expected',
    (r) => (r.restart ? `${r.restart.reconnected} / ${r.restart.agents}` : '–'),
  ],
  [
    'restart: reconnect p50 / p99 / max, s',
    (r) =>
      r.restart
        ? `${s(r.restart.reconnectMs.p50)} / ${s(r.restart.reconnectMs.p99)} / ${s(r.restart.reconnectMs.max)}`
        : '–',
  ],
  [
    'restart: one attempt (TCP → welcome) p50 / p99, s',
    (r) =>
      r.restart ? `${s(r.restart.reconnectAttemptMs.p50)} / ${s(r.restart.reconnectAttemptMs.p99)}` : '–',
  ],
  ['restart: busy cores central / agents', (r) => (r.restart ? cores(r.restart.load) : '–')],
  ['restart: SYNs dropped (accept queue full)', (r) => String(r.restart?.load.listenOverflows ?? '–')],
  ['restart: slowest GET /api/health meanwhile, s', (r) => s(r.restart?.apiHealthMaxMs)],
  ['restart: central CPU per reconnect, ms', (r) => ms(r.restart?.centralCpuMsPerAgent)],
  ['restart: PostgreSQL CPU per reconnect, ms', (r) => ms(r.restart?.dbCpuMsPerAgent)],
  ['restart: central RSS after, MB', (r) => mb(r.restart?.rssAfterKb)],
  ...phaseRows('all secure', (r) => r.allSecure),
  ['run time, s', (r) => s(r.durationMs)],
];

/** The table (one column per N), then failures, central's warnings and problems, per N. */
export function formatReport(results: ConnectionBenchResult[], machine: string): string {
  const header = ['N agents', ...results.map((r) => String(r.agents))];
  const body = ROWS.map(([label, value]) => [label, ...results.map(value)]);
  const out = [
    '',
    `Connection baseline — ${new Date().toISOString().slice(0, 10)}, ${machine}`,
    '',
    ...markdownTable([header, ...body]),
    '',
  ];
  for (const r of results) {
    out.push(`N=${r.agents} (${r.swarms} swarm process(es), started ${r.startedAt}):`);
    for (const p of [r.enroll, r.plain, r.secure, r.allSecure]) {
      if (p)
        out.push(
          `  ${p.name} failures: ${failureCounts(p.failures)}; listeners report ${JSON.stringify(p.listenerConnections)}`,
        );
    }
    if (r.mixedAgentCounts) out.push(`  API agents after half/half: ${JSON.stringify(r.mixedAgentCounts)}`);
    if (r.restart) {
      out.push(
        `  restart: old central exit ${r.restart.stopExit}; closes seen by agents: ${failureCounts(r.restart.closes)}`,
        `  restart: failed attempts before ready: ${failureCounts(r.restart.failuresBeforeReady)}`,
        `  restart: failed attempts after ready: ${failureCounts(r.restart.failuresAfterReady)}` +
          (Object.keys(r.restart.failuresAfterReady).length > 0
            ? ` (from ${s(r.restart.failedAfterReadyAtMs.min)} s to ${s(r.restart.failedAfterReadyAtMs.max)} s after ready, p50 ${s(r.restart.failedAfterReadyAtMs.p50)} s)`
            : ''),
        `  restart: SYN retransmits ${r.restart.load.synRetransmits}; swarm event-loop delay max ${ms(r.restart.load.swarmEventLoopDelayMaxMs, 0)} ms`,
        `  restart: welcomed before the ready line: ${r.restart.welcomedBeforeReady}; missing: ${r.restart.missing}; TLS sessions resumed: ${r.restart.resumedTls ?? 0}`,
        `  restart: API agents after: ${JSON.stringify(r.restart.agentCounts)}`,
        `  restart: API online vs welcomed over time (s: online/welcomed): ${r.restart.onlineOverTime
          .map((p) => `${s(p.atMs)}: ${p.apiOnline ?? '–'}/${p.welcomed}`)
          .join(', ')}`,
      );
    }
    out.push(`  central log: ${r.centralLog.lines} lines; warnings and errors:`);
    if (r.centralLog.warnings.length === 0) out.push('    none');
    for (const w of r.centralLog.warnings) out.push(`    ×${w.count}  ${w.line}`);
    out.push(...formatCeiling(r).map((l) => (l ? `  ${l}` : l)));
    if (r.error) out.push(`  STOPPED EARLY: ${r.error}`);
    for (const p of r.problems) out.push(`  PROBLEM: ${p}`);
    out.push('');
  }
  return out.join('\n');
}
