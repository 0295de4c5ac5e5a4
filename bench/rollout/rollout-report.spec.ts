import { spread } from '../connections/stats.js';
import { type BarePushResult, type PushResult, type RolloutBenchResult } from './results.js';
import { formatRolloutReport } from './rollout-report.js';

const base: RolloutBenchResult = {
  agents: 1000,
  swarms: 1,
  loadAverage: { start: [1, 1, 1], end: [2, 2, 2] },
  transport: 'plain',
  downloadConcurrency: 256,
  startedAt: '2026-12-07T18:00:00.000Z',
  durationMs: 30_000,
  centralLog: { lines: 0, warnings: [] },
  problems: [],
};

const bare: BarePushResult = {
  agents: 1000,
  connected: 1000,
  sent: 1000,
  processes: 1,
  synchronized: 1000,
  failed: 0,
  wallMs: 600,
  frameMs: spread([100, 200]),
  sinceStartMs: spread([300, 500]),
  downloadMs: spread([50, 80]),
  serverCpuMs: 400,
  swarmCores: 0.5,
  agentsDoneMs: 600,
  loadAverage: { start: [1, 1, 1], end: [1, 1, 1] },
};

const row = (report: string, label: string) =>
  report
    .split('\n')
    .find((line) => line.startsWith(`| ${label}`))
    ?.split('|')
    .map((c) => c.trim())[2];

describe('the rollout report', () => {
  it("prints the bare ceiling's p99 and the push's ratio to it", () => {
    const none = spread([]);
    const push: PushResult = {
      agents: 1000,
      rolloutId: 'r',
      postMs: 50,
      received: 1000,
      synchronized: 1000,
      failed: 0,
      missing: 0,
      failures: {},
      repeated: 0,
      invalid: {},
      sizeBytes: 51200,
      wallMs: 1000,
      firstFrameMs: 120,
      frameMs: none,
      agentMs: none,
      sinceStartMs: spread([400, 1000]),
      synchronizingMs: none,
      queuedMs: none,
      downloadMs: none,
      apiAllSynchronizedMs: 1100,
      rolloutState: 'completed',
      apiStates: { synchronized: 1000 },
      apiAgrees: true,
      apiDisagreements: [],
      rssBeforeKb: 1000,
      rssPeakKb: 2000,
      hwmPeakKb: undefined,
      rssAfterKb: 1500,
      extraKb: 1000,
      centralProcesses: 1,
      agentsDoneMs: 1000,
      centralCpuMs: 800,
      centralCores: 0.8,
      dbCpuMs: 300,
      swarmCores: 0.5,
      machineStealPercent: 0,
      swarmEventLoopDelayMaxMs: 10,
      windowMs: 1200,
    };
    const report = formatRolloutReport([{ ...base, push, bare }], 'test machine');
    expect(row(report, 'bare ws servers, same swarm')).toBe(
      `${(bare.sinceStartMs.p50 / 1000).toFixed(2)} / ${(bare.sinceStartMs.p99 / 1000).toFixed(2)}`,
    );
    expect(row(report, 'p99 × bare')).toBe(`${(push.sinceStartMs.p99 / bare.sinceStartMs.p99).toFixed(2)}×`);
    expect(report).toContain('bare ceiling: 1 bare ws process(es); 1000 connected, 1000 frames sent at once');
    expect(row(report, 'POST → first profile.sync received, ms')).toBe('120');
  });

  it('prints a dash where the ceiling was not measured', () => {
    const report = formatRolloutReport([base], 'test machine');
    expect(row(report, 'p99 × bare')).toBe('–');
    expect(report).not.toContain('bare ceiling:');
  });
});
