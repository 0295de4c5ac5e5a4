/**
 * Samples the RSS of a set of processes (central, or its primary and cluster workers) from /proc every
 * `intervalMs` while a phase runs, summed over the set, and resets each one's peak RSS counter (VmHWM)
 * at the start where the kernel allows it, so a peak between samples is seen too.
 */
import { writeFileSync } from 'node:fs';
import { memoryOf } from '../connections/proc-stats.js';
import { treeCpuMs, treeRssKb } from '../connections/process-tree.js';

export interface SampledWindow {
  /** Summed over the processes, as every figure here. */
  rssBeforeKb: number;
  /** Highest summed RSS of the samples. */
  rssPeakKb: number;
  /**
   * Sum of the processes' VmHWM at the end when each could be reset at the start (else undefined): the
   * peak between samples too. With several processes it is an upper bound (each may peak at its own time).
   */
  hwmPeakKb: number | undefined;
  rssAfterKb: number;
  samples: number;
  cpuMs: number;
  wallMs: number;
  /** How many processes were sampled. */
  processes: number;
}

export class ProcessSampler {
  private readonly pids: number[];
  private timer: NodeJS.Timeout | undefined;
  private rssBeforeKb = 0;
  private rssPeakKb = 0;
  private samples = 0;
  private cpu0 = 0;
  private t0 = 0;
  private hwmReset = false;

  /** `pids`: one process or a fixed set (a process tree read once when the phase starts). */
  constructor(
    pids: number | readonly number[],
    private readonly intervalMs = 100,
  ) {
    this.pids = typeof pids === 'number' ? [pids] : [...pids];
    if (this.pids.length === 0) throw new Error('ProcessSampler needs at least one process id');
  }

  start(): void {
    this.hwmReset = this.pids.every(resetPeakRss);
    this.rssBeforeKb = treeRssKb(this.pids);
    this.rssPeakKb = this.rssBeforeKb;
    this.samples = 1;
    this.cpu0 = treeCpuMs(this.pids);
    this.t0 = performance.now();
    this.timer = setInterval(() => this.sample(), this.intervalMs);
  }

  stop(): SampledWindow {
    clearInterval(this.timer);
    this.sample();
    return {
      rssBeforeKb: this.rssBeforeKb,
      rssPeakKb: this.rssPeakKb,
      hwmPeakKb: this.hwmReset ? sumHwmKb(this.pids) : undefined,
      rssAfterKb: treeRssKb(this.pids),
      samples: this.samples,
      cpuMs: treeCpuMs(this.pids) - this.cpu0,
      wallMs: performance.now() - this.t0,
      processes: this.pids.length,
    };
  }

  /** Stops sampling without a result (the phase failed); harmless after stop(). */
  dispose(): void {
    clearInterval(this.timer);
  }

  private sample(): void {
    // A process gone in the meantime counts 0 (treeRssKb): the caller learns it elsewhere.
    this.rssPeakKb = Math.max(this.rssPeakKb, treeRssKb(this.pids));
    this.samples++;
  }
}

function sumHwmKb(pids: number[]): number {
  let kb = 0;
  for (const pid of pids) {
    try {
      kb += memoryOf(pid).hwmKb;
    } catch {
      // gone in the meantime
    }
  }
  return kb;
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
