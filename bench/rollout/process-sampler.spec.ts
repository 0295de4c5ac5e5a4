import { spawn } from 'node:child_process';
import { memoryOf } from '../connections/proc-stats.js';
import { ProcessSampler } from './process-sampler.js';

describe('ProcessSampler', () => {
  it('sees this process grow while it samples', async () => {
    const sampler = new ProcessSampler(process.pid, 10);
    sampler.start();
    const held = Buffer.alloc(64 * 1024 * 1024, 1);
    await new Promise((r) => setTimeout(r, 100));
    const w = sampler.stop();
    expect(held[0]).toBe(1);
    expect(w.samples).toBeGreaterThan(3);
    expect(w.processes).toBe(1);
    expect(w.rssPeakKb - w.rssBeforeKb).toBeGreaterThan(50 * 1024);
    // The kernel folds per-thread RSS counters into VmHWM lazily: it may trail the sampled VmRSS a little.
    if (w.hwmPeakKb !== undefined) expect(w.hwmPeakKb).toBeGreaterThan(w.rssPeakKb * 0.98);
    expect(w.wallMs).toBeGreaterThanOrEqual(100);
  });

  it('sums several processes (central and its cluster workers)', async () => {
    // A second process that grows by ~64 MB a moment after it starts, then waits to be stopped.
    const child = spawn(
      process.execPath,
      [
        '-e',
        'setTimeout(() => { globalThis.held = Buffer.alloc(64 * 1024 * 1024, 1); }, 150); setInterval(() => {}, 1000);',
      ],
      { stdio: 'ignore' },
    );
    try {
      await new Promise((r) => setTimeout(r, 100));
      const alone = memoryOf(child.pid!).rssKb + memoryOf(process.pid).rssKb;
      const sampler = new ProcessSampler([process.pid, child.pid!], 10);
      sampler.start();
      await new Promise((r) => setTimeout(r, 400));
      const w = sampler.stop();
      expect(w.processes).toBe(2);
      expect(w.rssBeforeKb).toBeGreaterThan(alone * 0.8);
      expect(w.rssPeakKb - w.rssBeforeKb).toBeGreaterThan(50 * 1024);
      expect(w.rssAfterKb).toBeGreaterThan(w.rssBeforeKb + 50 * 1024);
    } finally {
      child.kill('SIGKILL');
    }
  });

  it('refuses an empty set of processes', () => {
    expect(() => new ProcessSampler([])).toThrow('at least one process id');
  });
});
