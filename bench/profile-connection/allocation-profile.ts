/**
 * Where an inspected process allocates during one phase: V8's sampling heap profiler, including the
 * objects collected since (the garbage is what we are after), summed by function.
 */
import { type Inspector } from './inspector.js';
import { frameName } from './cpu-profile.js';

interface HeapNode {
  callFrame: { functionName: string; url: string; lineNumber: number };
  selfSize: number;
  children: HeapNode[];
}

export interface Allocations {
  totalBytes: number;
  /** By the allocating function itself. */
  bySelf: Array<{ name: string; bytes: number }>;
  /** By the innermost function of ours (apps/, libs/) on the stack: what our code makes others allocate. */
  byOurs: Array<{ name: string; bytes: number }>;
}

export async function startAllocationProfile(
  inspector: Inspector,
): Promise<{ stop: () => Promise<Allocations> }> {
  await inspector.call('HeapProfiler.enable');
  await inspector.call('HeapProfiler.startSampling', {
    samplingInterval: 4096,
    includeObjectsCollectedByMajorGC: true,
    includeObjectsCollectedByMinorGC: true,
  });
  return {
    stop: async () => {
      const { profile } = await inspector.call<{ profile: { head: HeapNode } }>('HeapProfiler.stopSampling');
      await inspector.call('HeapProfiler.disable');
      return summarize(profile.head);
    },
  };
}

const OURS = /\/dist\/(apps|libs)\//;

function summarize(head: HeapNode): Allocations {
  const bySelf = new Map<string, number>();
  const byOurs = new Map<string, number>();
  let total = 0;
  const walk = (node: HeapNode, ours: string) => {
    const name = frameName(node.callFrame);
    const owner = OURS.test(node.callFrame.url) ? name : ours;
    if (node.selfSize > 0) {
      total += node.selfSize;
      bySelf.set(name, (bySelf.get(name) ?? 0) + node.selfSize);
      byOurs.set(owner, (byOurs.get(owner) ?? 0) + node.selfSize);
    }
    for (const child of node.children) walk(child, owner);
  };
  walk(head, '(none of ours on the stack)');
  const sorted = (m: Map<string, number>) =>
    [...m.entries()].sort((a, b) => b[1] - a[1]).map(([name, bytes]) => ({ name, bytes }));
  return { totalBytes: total, bySelf: sorted(bySelf), byOurs: sorted(byOurs) };
}
