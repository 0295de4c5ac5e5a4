import { type ConnectionBenchResult } from '../connections/results.js';
import { formatCeiling } from './ceiling-report.js';

const base: ConnectionBenchResult = {
  agents: 2000,
  swarms: 2,
  sourceAddresses: 19,
  loadAverage: { start: [3.1, 2, 1], end: [4.25, 2.5, 1.5] },
  startedAt: '2026-12-07T03:00:00.000Z',
  durationMs: 1000,
  centralLog: { lines: 0, warnings: [] },
  problems: [],
};
const restart = (p99: number) => ({
  agents: 2000,
  back: 2000,
  missing: 0,
  backMs: { p50: 1000, p99, max: p99 },
});

describe('the ceiling table', () => {
  it('prints nothing when no ceiling ran', () => {
    expect(formatCeiling(base)).toEqual([]);
  });

  it('prints each target with its ratios to bare, the load average and what was skipped', () => {
    const lines = formatCeiling({
      ...base,
      ceiling: [
        {
          target: 'switchyard',
          agents: 2000,
          held: 2000,
          processes: 1,
          connectAllMs: 8000,
          kbPerConnection: 45,
          cpuMsPerConnection: 3.6,
          dbCpuMsPerConnection: 2.4,
          restart: restart(20_000),
        },
        {
          target: 'bare',
          agents: 2000,
          held: 2000,
          processes: 1,
          connectAllMs: 4000,
          kbPerConnection: 30,
          cpuMsPerConnection: 1.2,
          restart: restart(5000),
        },
        {
          target: 'nginx',
          agents: 2000,
          held: 0,
          processes: 0,
          connectAllMs: NaN,
          kbPerConnection: NaN,
          cpuMsPerConnection: NaN,
          skipped: 'nginx is not installed',
        },
      ],
    });
    const text = lines.join('\n');
    expect(text).toContain('load average (1 / 5 / 15 min) at start 3.10 2.00 1.00, at end 4.25 2.50 1.50');
    const row = lines.find((l) => l.startsWith('| switchyard'))!;
    const cells = row.split('|').map((c) => c.trim());
    // target, processes, held, connect, KB, CPU, PG, restart, missing, ×RSS, ×CPU, ×CPU+PG, ×connect, ×restart
    expect(cells.slice(1, 15)).toEqual([
      'switchyard',
      '1',
      '2000 / 2000',
      '8.0',
      '45.0',
      '3.60',
      '2.40',
      '1.0 / 20.0 / 20.0',
      '0',
      '1.50×',
      '3.00×',
      '5.00×',
      '2.00×',
      '4.00×',
    ]);
    expect(lines.find((l) => l.startsWith('| bare'))).toContain('1.00×');
    expect(text).toContain('nginx: SKIPPED: nginx is not installed');
  });
});
