import { hostname } from 'node:os';
import { type NodeRecord } from './nodes.repository.js';

/**
 * Node rows left by earlier runs of central on this machine that are certainly dead: the same
 * explicit node name, or the default `<host>-<pid>` name with a pid that no longer runs.
 * Their agents can be marked disconnected at once instead of after the heartbeat timeout.
 */
export function deadIncarnations(
  nodes: NodeRecord[],
  self: { id: string; name: string },
  explicitName: boolean,
): NodeRecord[] {
  const host = hostname();
  return nodes.filter((n) => {
    if (n.id === self.id) return false;
    if (explicitName) return n.name === self.name;
    const match = n.name.startsWith(`${host}-`) ? /^(\d+)$/.exec(n.name.slice(host.length + 1)) : null;
    return match !== null && !processRuns(Number(match[1]));
  });
}

function processRuns(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}
