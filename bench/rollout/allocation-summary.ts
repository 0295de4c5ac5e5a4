/** Where a sampling heap profile's bytes were allocated: by function and by area (as the CPU summary). */
import { type HeapSamplingNode, type HeapSamplingProfile } from './central-profiler.js';
import { areaOf } from './cpu-profile-summary.js';

export interface AllocationSummary {
  /** Bytes allocated in all (sampled: an estimate), MB. */
  totalMb: number;
  byArea: Array<{ name: string; mb: number }>;
  byFunction: Array<{ name: string; mb: number }>;
}

export function summarizeAllocations(profile: HeapSamplingProfile, top = 15): AllocationSummary {
  const areas = new Map<string, number>();
  const functions = new Map<string, number>();
  let total = 0;
  // Iterative: a deep call tree must not overflow the stack.
  const stack: HeapSamplingNode[] = [profile.head];
  while (stack.length > 0) {
    const node = stack.pop()!;
    stack.push(...node.children);
    if (node.selfSize === 0) continue;
    total += node.selfSize;
    const { functionName, url, lineNumber } = node.callFrame;
    const area = areaOf(url, functionName);
    areas.set(area, (areas.get(area) ?? 0) + node.selfSize);
    const where = url ? ` ${url.replace(/^.*\/(node_modules|apps|libs)\//, '$1/')}:${lineNumber + 1}` : '';
    const name = `${functionName || '(anonymous)'}${where}`;
    functions.set(name, (functions.get(name) ?? 0) + node.selfSize);
  }
  const mb = (bytes: number) => bytes / (1024 * 1024);
  const sorted = (m: Map<string, number>) =>
    [...m.entries()].sort((a, b) => b[1] - a[1]).map(([name, bytes]) => ({ name, mb: mb(bytes) }));
  return {
    totalMb: mb(total),
    byArea: sorted(areas).slice(0, top),
    byFunction: sorted(functions).slice(0, top),
  };
}
