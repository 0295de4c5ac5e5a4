import { gcPhaseOf } from './gc-phase.js';

const at = (usedHeapSize: number) => ({ heapStatistics: { usedHeapSize } });

describe('gcPhaseOf', () => {
  it('counts what was allocated between collections, garbage included, and the pauses by kind', () => {
    const phase = gcPhaseOf(1000, 2500, [
      { gcType: 'Scavenge', cost: 1500, beforeGC: at(5000), afterGC: at(1200) }, // 4000 allocated
      { gcType: 'MarkSweepCompact', cost: 2500, beforeGC: at(3200), afterGC: at(1000) }, // 2000 more
      { gcType: 'IncrementalMarking', cost: 100, beforeGC: at(1000), afterGC: at(1000) },
    ]);
    expect(phase).toEqual({ allocatedBytes: 4000 + 2000 + 1500, gcMs: 4.1, scavenges: 1, markCompacts: 1 });
  });

  it('is the heap growth when nothing was collected, and never negative', () => {
    expect(gcPhaseOf(1000, 1800, []).allocatedBytes).toBe(800);
    expect(gcPhaseOf(1000, 900, []).allocatedBytes).toBe(0);
  });
});
