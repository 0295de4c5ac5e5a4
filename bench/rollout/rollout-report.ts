import { type Spread } from '../connections/stats.js';
import { failureCounts, markdownTable } from '../connections/report-format.js';
import { pushTarget, targetMisses } from './push-target.js';
import { type PushResult, type RolloutBenchResult } from './results.js';

type Row = [label: string, value: (r: RolloutBenchResult) => string];

const s = (v: number | undefined, digits = 2) =>
  v === undefined || !Number.isFinite(v) ? '–' : (v / 1000).toFixed(digits);
const ms = (v: number | undefined) => (v === undefined || !Number.isFinite(v) ? '–' : v.toFixed(0));
const mb = (kb: number | undefined) =>
  kb === undefined || !Number.isFinite(kb) ? '–' : (kb / 1024).toFixed(0);
const trio = (x: Spread, f: (v: number) => string) => `${f(x.p50)} / ${f(x.p99)} / ${f(x.max)}`;
const load = (l: number[]) => (l.length > 0 ? l[0]!.toFixed(1) : '–');

function push(f: (p: PushResult) => string): (r: RolloutBenchResult) => string {
  return (r) => (r.push ? f(r.push) : '–');
}

const ROWS: Row[] = [
  [
    'central processes (SWITCHYARD_WORKERS)',
    (r) => `${r.push ? r.push.centralProcesses : '–'} (${r.workers ?? '1'})`,
  ],
  ['load average at start → end', (r) => `${load(r.loadAverage.start)} → ${load(r.loadAverage.end)}`],
  ['archive size, KB', (r) => (r.revision ? (r.revision.sizeBytes / 1024).toFixed(1) : '–')],
  ['agents connected (enrolled) / N', (r) => (r.connect ? `${r.connect.ok} / ${r.agents}` : '–')],
  ['agents synchronized / N', push((p) => `${p.synchronized} / ${p.agents}`)],
  ['POST /api/rollouts answered, ms', push((p) => ms(p.postMs))],
  ['wall: POST → last synchronized, s', push((p) => s(p.wallMs))],
  ['POST → first profile.sync received, ms', push((p) => ms(p.firstFrameMs))],
  ['POST → profile.sync received p50 / p99 / max, s', push((p) => trio(p.frameMs, (v) => s(v)))],
  ['frame → synchronized p50 / p99 / max, ms', push((p) => trio(p.agentMs, ms))],
  ['POST → synchronized p50 / p99 / max, s', push((p) => trio(p.sinceStartMs, (v) => s(v)))],
  [
    '  of which waiting for a download slot p50 / p99, ms',
    push((p) => `${ms(p.queuedMs.p50)} / ${ms(p.queuedMs.p99)}`),
  ],
  [
    '  of which download + sha256 p50 / p99, ms',
    push((p) => `${ms(p.downloadMs.p50)} / ${ms(p.downloadMs.p99)}`),
  ],
  ['download failures', push((p) => String(p.failed))],
  [
    'central RSS before → peak, MB',
    push((p) => `${mb(p.rssBeforeKb)} → ${mb(Math.max(p.rssPeakKb, p.hwmPeakKb ?? 0))}`),
  ],
  ['central extra RSS during the push, MB', push((p) => mb(p.extraKb))],
  [
    'central CPU POST → last ack, s (cores)',
    push((p) => `${s(p.centralCpuMs, 1)} (${p.centralCores.toFixed(2)})`),
  ],
  ['PostgreSQL CPU POST → last ack, s', push((p) => s(p.dbCpuMs, 1))],
  ['busy cores of the swarms', push((p) => p.swarmCores.toFixed(2))],
  ['CPU time taken by the host (steal), %', push((p) => p.machineStealPercent.toFixed(0))],
  ['swarm event-loop delay max, ms', push((p) => ms(p.swarmEventLoopDelayMaxMs))],
  ['API: every agent synchronized after, s', push((p) => s(p.apiAllSynchronizedMs, 1))],
  ['API agrees with the agents', push((p) => (p.apiAgrees ? 'yes' : 'NO'))],
  [
    'target p99, s (issue 15: 3 s at 10,000, 15 s at 50,000; extra ≤ 1 GB)',
    (r) => s(pushTarget(r.agents).p99Ms, 0),
  ],
  [
    'target',
    push((p) => {
      const misses = targetMisses({ ...p, p99Ms: p.sinceStartMs.p99 });
      return misses ? `missed (${misses})` : 'met';
    }),
  ],
  [
    'bare ws servers, same swarm: push → synchronized p50 / p99, s',
    (r) => (r.bare ? `${s(r.bare.sinceStartMs.p50)} / ${s(r.bare.sinceStartMs.p99)}` : '–'),
  ],
  ['p99 × bare', (r) => (r.bare && r.push ? ratio(r.push.sinceStartMs.p99, r.bare.sinceStartMs.p99) : '–')],
  [
    'bare: server CPU, s; busy cores of the swarms',
    (r) => (r.bare ? `${s(r.bare.serverCpuMs, 1)}; ${r.bare.swarmCores.toFixed(2)}` : '–'),
  ],
  ['run time, s', (r) => s(r.durationMs, 0)],
];

function ratio(value: number, bare: number): string {
  return Number.isFinite(value) && Number.isFinite(bare) && bare > 0 ? `${(value / bare).toFixed(2)}×` : '–';
}

/** The table (one column per N), then per N the details: failures, API states, central's warnings. */
export function formatRolloutReport(results: RolloutBenchResult[], machine: string): string {
  const header = ['N agents', ...results.map((r) => String(r.agents))];
  const body = ROWS.map(([label, value]) => [label, ...results.map(value)]);
  const out = [
    '',
    `Rollout bench — ${new Date().toISOString().slice(0, 10)}, ${machine}`,
    '',
    ...markdownTable([header, ...body]),
    '',
  ];
  for (const r of results) {
    out.push(
      `N=${r.agents} (${r.swarms} swarm process(es) over ${r.transport}, ${r.downloadConcurrency} downloads in flight per swarm, central ${r.workers ? `with --workers ${r.workers}` : 'in one process'}, started ${r.startedAt}; load average ${r.loadAverage.start.map((v) => v.toFixed(1)).join(' ')} → ${r.loadAverage.end.map((v) => v.toFixed(1)).join(' ')}):`,
    );
    if (r.revision)
      out.push(
        `  revision: ${r.revision.profile} r${r.revision.revision}, sha256 ${r.revision.sha256}, ${r.revision.sizeBytes} bytes`,
      );
    if (r.connect)
      out.push(
        `  connect: ${r.connect.ok}/${r.connect.agents} in ${s(r.connect.wallMs, 1)} s; failures: ${failureCounts(r.connect.failures)}`,
      );
    const p = r.push;
    if (p) {
      out.push(
        `  rollout ${p.rolloutId}: state ${p.rolloutState}; API agents by state ${JSON.stringify(p.apiStates)}`,
        `  agents: ${p.received} got profile.sync, ${p.synchronized} synchronized, ${p.failed} failed, ${p.missing} got nothing; repeated frames ${p.repeated}; invalid frames: ${failureCounts(p.invalid)}`,
        `  failures: ${failureCounts(p.failures)}`,
        `  frame → synchronizing sent p50 / p99: ${ms(p.synchronizingMs.p50)} / ${ms(p.synchronizingMs.p99)} ms; agents done after ${s(p.agentsDoneMs, 1)} s (polled every 100 ms)`,
        `  central RSS${p.centralProcesses > 1 ? ` summed over ${p.centralProcesses} processes` : ''}: before ${mb(p.rssBeforeKb)} MB, sampled peak ${mb(p.rssPeakKb)} MB, VmHWM ${mb(p.hwmPeakKb)} MB, after ${mb(p.rssAfterKb)} MB (window ${s(p.windowMs, 1)} s)`,
      );
      for (const d of p.apiDisagreements) out.push(`  API disagrees: ${d}`);
      const db = p.database;
      if (db) {
        const per = (v: number) => (v / p.agents).toFixed(1);
        out.push(
          `  PostgreSQL per agent (incl. ${db.apiPolls} GET /api/rollouts/:id): ${per(db.commits)} transactions, ` +
            `${per(db.rowsFetched)} rows fetched, ${per(db.rowsReturned)} rows returned (scans), ${per(db.rowsUpdated)} updated, ${per(db.rowsInserted)} inserted`,
        );
        const tables = Object.entries(db.tables).sort((a, b) => b[1].seqTupRead - a[1].seqTupRead);
        for (const [name, t] of tables.slice(0, 8))
          out.push(
            `    ${name}: ${t.seqScan} seq scans reading ${t.seqTupRead} rows, ${t.idxScan} index scans, ${t.inserted}/${t.updated}/${t.deleted} ins/upd/del (${t.hotUpdated} of the updates HOT)`,
          );
      }
    }
    const b = r.bare;
    if (b)
      out.push(
        `  bare ceiling: ${b.processes} bare ws process(es); ${b.connected} connected, ${b.sent} frames sent at once, ${b.synchronized} synchronized, ${b.failed} failed; ` +
          `frame received p50 / p99 ${s(b.frameMs.p50)} / ${s(b.frameMs.p99)} s; download + sha256 p50 / p99 ${ms(b.downloadMs.p50)} / ${ms(b.downloadMs.p99)} ms; ` +
          `load average ${b.loadAverage.start.map((v) => v.toFixed(1)).join(' ')} → ${b.loadAverage.end.map((v) => v.toFixed(1)).join(' ')}`,
      );
    const act = p?.dbActivity;
    if (act) {
      out.push(
        `  PostgreSQL connections of central POST → last ack (${act.samples} samples): ${act.meanConnections.toFixed(1)} open, ` +
          `${act.meanBusy.toFixed(1)} busy on average, all busy in ${(100 * act.allBusyShare).toFixed(0)}% of samples; busy ones: ` +
          act.busyBy.map((b) => `${b.what} ${(100 * b.share).toFixed(0)}%`).join(', '),
      );
    }
    if (p?.statements) {
      out.push(
        '  PostgreSQL statements POST → last ack, by total time (every statement logged: slower run):',
      );
      for (const st of p.statements)
        out.push(
          `    ${(st.totalMs / 1000).toFixed(2).padStart(7)} s ×${String(st.count).padEnd(7)} ${st.statement}`,
        );
    }
    const cp = r.centralProfile;
    if (cp) {
      const pct = (v: number) => `${((100 * v) / cp.totalMs).toFixed(1)}%`;
      out.push(`  central CPU profile (${s(cp.totalMs, 1)} s, ${cp.file}), self time by area:`);
      out.push('    ' + cp.byArea.map((a) => `${a.name} ${pct(a.ms)}`).join(', '));
      out.push('  top functions by self time:');
      for (const f of cp.byFunction.slice(0, 12)) out.push(`    ${pct(f.ms).padStart(6)}  ${f.name}`);
    }
    const ca = r.centralAllocations;
    if (ca) {
      const share = (v: number) => `${((100 * v) / ca.totalMb).toFixed(1)}%`;
      out.push(
        `  central allocations (sampled, ${ca.totalMb.toFixed(0)} MB in all, ${((ca.totalMb / Math.max(r.agents, 1)) * 1024).toFixed(1)} KB per agent, ${ca.file}), by area:`,
      );
      out.push('    ' + ca.byArea.map((a) => `${a.name} ${share(a.mb)}`).join(', '));
      out.push('  top functions by bytes allocated:');
      for (const f of ca.byFunction.slice(0, 12))
        out.push(`    ${f.mb.toFixed(1).padStart(7)} MB  ${f.name}`);
    }
    out.push(`  central log: ${r.centralLog.lines} lines; warnings and errors:`);
    if (r.centralLog.warnings.length === 0) out.push('    none');
    for (const w of r.centralLog.warnings) out.push(`    ×${w.count}  ${w.line}`);
    if (r.error) out.push(`  STOPPED EARLY: ${r.error}`);
    for (const problem of r.problems) out.push(`  PROBLEM: ${problem}`);
    out.push('');
  }
  return out.join('\n');
}
