/**
 * What an inspected process allocated and how long its garbage collector paused it during one phase: V8's
 * `GCProfiler`, started and read over the inspector. The bytes allocated are the heap's growth between
 * collections (used before a collection minus used after the previous one), so they count what was
 * collected too: the garbage a connection makes, which the RSS does not show.
 */
import { type Inspector } from './inspector.js';

export interface GcPhase {
  allocatedBytes: number;
  /** Main-thread time in collections (V8's cost of each, prologue to epilogue). */
  gcMs: number;
  scavenges: number;
  /** Full collections (mark-sweep-compact), incremental marking steps not counted. */
  markCompacts: number;
}

interface HeapAt {
  heapStatistics: { usedHeapSize: number };
}
interface GcRecord {
  gcType: string;
  cost: number;
  beforeGC: HeapAt;
  afterGC: HeapAt;
}

const START = `(() => {
  const v8 = process.getBuiltinModule('node:v8');
  const profiler = new v8.GCProfiler();
  profiler.start();
  globalThis.__profileConnectionGc = { profiler, used: v8.getHeapStatistics().used_heap_size };
  return true;
})()`;

const STOP = `(() => {
  const v8 = process.getBuiltinModule('node:v8');
  const phase = globalThis.__profileConnectionGc;
  delete globalThis.__profileConnectionGc;
  const data = phase.profiler.stop();
  return JSON.stringify({ startUsed: phase.used, endUsed: v8.getHeapStatistics().used_heap_size, statistics: data.statistics });
})()`;

/** Starts counting in the inspected process; `stop()` returns the phase's figures. */
export async function startGcPhase(inspector: Inspector): Promise<{ stop: () => Promise<GcPhase> }> {
  await inspector.evaluate<boolean>(START);
  return {
    stop: async () => {
      const raw = JSON.parse(await inspector.evaluate<string>(STOP)) as {
        startUsed: number;
        endUsed: number;
        statistics: GcRecord[];
      };
      return gcPhaseOf(raw.startUsed, raw.endUsed, raw.statistics);
    },
  };
}

export function gcPhaseOf(startUsed: number, endUsed: number, records: GcRecord[]): GcPhase {
  let allocated = 0;
  let used = startUsed;
  const phase: GcPhase = { allocatedBytes: 0, gcMs: 0, scavenges: 0, markCompacts: 0 };
  for (const r of records) {
    allocated += Math.max(0, r.beforeGC.heapStatistics.usedHeapSize - used);
    used = r.afterGC.heapStatistics.usedHeapSize;
    phase.gcMs += r.cost / 1000;
    if (r.gcType === 'Scavenge' || r.gcType === 'MinorMarkSweep') phase.scavenges++;
    else if (r.gcType === 'MarkSweepCompact') phase.markCompacts++;
  }
  phase.allocatedBytes = allocated + Math.max(0, endUsed - used);
  return phase;
}
