/** Where a CPU profile's time went: self time by function and by area (package, central domain, Node). */
import { type CpuProfile } from './central-profiler.js';

export interface ProfileSummary {
  totalMs: number;
  /** Self time by area: `idle`, `gc`, `pg`, `ws`, `zod`, `central/<domain>`, `node:<module>`, … */
  byArea: Array<{ name: string; ms: number }>;
  byFunction: Array<{ name: string; ms: number }>;
}

/** Groups a script URL into an area an engineer can act on. */
export function areaOf(url: string, functionName: string): string {
  if (!url) {
    if (functionName === '(idle)') return 'idle';
    if (functionName === '(garbage collector)') return 'gc';
    return functionName || '(native)';
  }
  const pkg = /node_modules\/((?:@[^/]+\/)?[^/]+)/.exec(url);
  if (pkg) return pkg[1];
  const central = /apps\/central\/src\/([^/]+)/.exec(url);
  if (central) return `central/${central[1]}`;
  const lib = /\/libs\/([^/]+)/.exec(url);
  if (lib) return `libs/${lib[1]}`;
  if (url.startsWith('node:')) return url.split('/')[0];
  return url.replace(/^.*\//, '');
}

export function summarizeProfile(profile: CpuProfile, top = 15): ProfileSummary {
  const totalMs = (profile.endTime - profile.startTime) / 1000;
  const hits = profile.nodes.reduce((n, node) => n + (node.hitCount ?? 0), 0);
  const msPerHit = hits > 0 ? totalMs / hits : 0;
  const areas = new Map<string, number>();
  const functions = new Map<string, number>();
  for (const node of profile.nodes) {
    const ms = (node.hitCount ?? 0) * msPerHit;
    if (ms === 0) continue;
    const { functionName, url, lineNumber } = node.callFrame;
    const area = areaOf(url, functionName);
    areas.set(area, (areas.get(area) ?? 0) + ms);
    const where = url ? ` ${url.replace(/^.*\/(node_modules|apps|libs)\//, '$1/')}:${lineNumber + 1}` : '';
    const name = `${functionName || '(anonymous)'}${where}`;
    functions.set(name, (functions.get(name) ?? 0) + ms);
  }
  const sorted = (m: Map<string, number>) =>
    [...m.entries()].sort((a, b) => b[1] - a[1]).map(([name, ms]) => ({ name, ms }));
  return { totalMs, byArea: sorted(areas).slice(0, top), byFunction: sorted(functions).slice(0, top) };
}
