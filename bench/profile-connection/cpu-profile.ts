/** A CPU profile of one phase of a process started with `--inspect`, over the DevTools protocol. */
import { type Inspector } from './inspector.js';

interface CallFrame {
  functionName: string;
  url: string;
  lineNumber: number;
}
interface ProfileNode {
  id: number;
  callFrame: CallFrame;
  hitCount?: number;
}
interface Profile {
  nodes: ProfileNode[];
  startTime: number;
  endTime: number;
  samples: number[];
}

export interface SelfTime {
  name: string;
  ms: number;
  share: number;
}

/** Starts the sampling profiler in the inspected process; `stop()` returns the profile's self times. */
export async function startCpuProfile(inspector: Inspector): Promise<{ stop: () => Promise<SelfTime[]> }> {
  await inspector.call('Profiler.enable');
  await inspector.call('Profiler.setSamplingInterval', { interval: 500 });
  await inspector.call('Profiler.start');
  return {
    stop: async () => {
      const { profile } = await inspector.call<{ profile: Profile }>('Profiler.stop');
      await inspector.call('Profiler.disable');
      return selfTimes(profile);
    },
  };
}

/** A function as the profiles show it: name, file (under node_modules or dist) and line. */
export function frameName(frame: CallFrame): string {
  const file = frame.url.replace(/^.*\/(node_modules|dist)\//, '').replace(/^file:\/\//, '');
  return `${frame.functionName || '(anonymous)'} ${file}${file ? `:${frame.lineNumber + 1}` : ''}`;
}

/** Self time per function (name, file, line), biggest first; idle time left out of the shares. */
export function selfTimes(profile: Profile): SelfTime[] {
  const msPerSample = (profile.endTime - profile.startTime) / 1000 / Math.max(1, profile.samples.length);
  const byId = new Map(profile.nodes.map((n) => [n.id, n]));
  const totals = new Map<string, number>();
  for (const id of profile.samples) {
    const frame = byId.get(id)!.callFrame;
    if (frame.functionName === '(idle)') continue;
    const key = frameName(frame);
    totals.set(key, (totals.get(key) ?? 0) + msPerSample);
  }
  const busy = [...totals.values()].reduce((a, b) => a + b, 0);
  return [...totals.entries()]
    .sort((a, b) => b[1] - a[1])
    .map(([name, ms]) => ({ name, ms, share: ms / busy }));
}
