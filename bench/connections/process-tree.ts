/**
 * CPU and memory of a process with all its descendants (central's cluster workers, nginx's workers),
 * read from Linux /proc.
 */
import { readFileSync, readdirSync } from 'node:fs';
import { cpuMsOf, memoryOf } from './proc-stats.js';

/** `root` and every process below it, leaving out the subtrees rooted at `exclude`. */
export function descendants(root: number, parents: Map<number, number>, exclude: number[] = []): number[] {
  const children = new Map<number, number[]>();
  for (const [pid, ppid] of parents) {
    const list = children.get(ppid);
    if (list) list.push(pid);
    else children.set(ppid, [pid]);
  }
  const out: number[] = [];
  const stack = exclude.includes(root) ? [] : [root];
  while (stack.length > 0) {
    const pid = stack.pop()!;
    out.push(pid);
    for (const child of children.get(pid) ?? []) if (!exclude.includes(child)) stack.push(child);
  }
  return out.sort((a, b) => a - b);
}

/** pid → parent pid of every process visible now. */
export function parentsNow(): Map<number, number> {
  const parents = new Map<number, number>();
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      const stat = readFileSync(`/proc/${entry}/stat`, 'utf8');
      parents.set(Number(entry), Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1]));
    } catch {
      // gone in the meantime
    }
  }
  return parents;
}

/** The live processes of a tree now. */
export function treeOf(root: number, exclude: number[] = []): number[] {
  return descendants(root, parentsNow(), exclude);
}

/**
 * CPU of the tree, ms: each live process's own time plus that of the children it reaped, so a worker
 * that exited and was reaped by its parent still counts, and nothing counts twice.
 */
export function treeCpuMs(pids: number[]): number {
  return pids.reduce((ms, pid) => ms + cpuMsOf(pid, true), 0);
}

/** Sum of the RSS of the processes, KB (a process gone in the meantime counts 0). */
export function treeRssKb(pids: number[]): number {
  let kb = 0;
  for (const pid of pids) {
    try {
      kb += memoryOf(pid).rssKb;
    } catch {
      // gone in the meantime
    }
  }
  return kb;
}
