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
    expect(w.rssPeakKb - w.rssBeforeKb).toBeGreaterThan(50 * 1024);
    // The kernel folds per-thread RSS counters into VmHWM lazily: it may trail the sampled VmRSS a little.
    if (w.hwmPeakKb !== undefined) expect(w.hwmPeakKb).toBeGreaterThan(w.rssPeakKb * 0.98);
    expect(w.wallMs).toBeGreaterThanOrEqual(100);
  });
});
