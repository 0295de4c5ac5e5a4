/** A process's CPU split by thread: its main thread (JavaScript, TLS) against the others (GC helpers, libuv). */
import { readdirSync, readFileSync } from 'node:fs';

const TICK_MS = 10; // USER_HZ is 100 on Linux

/** utime + stime of the main thread and of all other threads, in ms (threads gone since are not counted). */
export function threadCpuMs(pid: number): { main: number; user: number; system: number; others: number } {
  const split = { main: 0, user: 0, system: 0, others: 0 };
  let tasks: string[];
  try {
    tasks = readdirSync(`/proc/${pid}/task`);
  } catch {
    return split;
  }
  for (const tid of tasks) {
    let stat: string;
    try {
      stat = readFileSync(`/proc/${pid}/task/${tid}/stat`, 'utf8');
    } catch {
      continue;
    }
    const f = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    const user = Number(f[11]) * TICK_MS;
    const system = Number(f[12]) * TICK_MS;
    if (tid === String(pid)) {
      split.main = user + system;
      split.user = user;
      split.system = system;
    } else split.others += user + system;
  }
  return split;
}
