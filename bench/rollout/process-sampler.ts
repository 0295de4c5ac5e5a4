/**
 * Samples one process's RSS from /proc every `intervalMs` while a phase runs, and resets its peak RSS
 * counter (VmHWM) at the start where the kernel allows it, so the peak between samples is seen too.
 */
import { writeFileSync } from 'node:fs';
import { cpuMsOf, memoryOf } from '../connections/proc-stats.js';

export interface SampledWindow {
  rssBeforeKb: number;
  /** Highest RSS of the samples. */
  rssPeakKb: number;
  /** VmHWM at the end when it could be reset at the start (else undefined): the peak between samples too. */
  hwmPeakKb: number | undefined;
  rssAfterKb: number;
  samples: number;
  cpuMs: number;
  wallMs: number;
}

export class ProcessSampler {
  private timer: NodeJS.Timeout | undefined;
  private rssBeforeKb = 0;
  private rssPeakKb = 0;
  private samples = 0;
  private cpu0 = 0;
  private t0 = 0;
  private hwmReset = false;

  constructor(
    private readonly pid: number,
    private readonly intervalMs = 100,
  ) {}

  start(): void {
    this.hwmReset = resetPeakRss(this.pid);
    this.rssBeforeKb = memoryOf(this.pid).rssKb;
    this.rssPeakKb = this.rssBeforeKb;
    this.samples = 1;
    this.cpu0 = cpuMsOf(this.pid);
    this.t0 = performance.now();
    this.timer = setInterval(() => this.sample(), this.intervalMs);
  }

  stop(): SampledWindow {
    clearInterval(this.timer);
    this.sample();
    const end = memoryOf(this.pid);
    return {
      rssBeforeKb: this.rssBeforeKb,
      rssPeakKb: this.rssPeakKb,
      hwmPeakKb: this.hwmReset ? end.hwmKb : undefined,
      rssAfterKb: end.rssKb,
      samples: this.samples,
      cpuMs: cpuMsOf(this.pid) - this.cpu0,
      wallMs: performance.now() - this.t0,
    };
  }

  /** Stops sampling without a result (the phase failed); harmless after stop(). */
  dispose(): void {
    clearInterval(this.timer);
  }

  private sample(): void {
    try {
      this.rssPeakKb = Math.max(this.rssPeakKb, memoryOf(this.pid).rssKb);
      this.samples++;
    } catch {
      // the process is gone: the caller learns it elsewhere
    }
  }
}

/** Writing 5 to clear_refs resets VmHWM to the current RSS (Linux ≥ 4.0, own processes or root). */
function resetPeakRss(pid: number): boolean {
  try {
    writeFileSync(`/proc/${pid}/clear_refs`, '5');
    return true;
  } catch {
    return false;
  }
}
