/** Reads memory and CPU figures of processes from Linux /proc. */
import { execFileSync } from 'node:child_process';
import { readFileSync, readdirSync } from 'node:fs';

let ticksPerSecond: number | undefined;

function clockTicks(): number {
  if (ticksPerSecond === undefined) {
    try {
      ticksPerSecond = Number(execFileSync('getconf', ['CLK_TCK'], { encoding: 'utf8' }).trim()) || 100;
    } catch {
      ticksPerSecond = 100;
    }
  }
  return ticksPerSecond;
}

export interface MemoryStats {
  rssKb: number;
  /** Peak RSS of the process so far. */
  hwmKb: number;
}

export function memoryOf(pid: number): MemoryStats {
  const status = readFileSync(`/proc/${pid}/status`, 'utf8');
  const field = (name: string) => Number(new RegExp(`^${name}:\\s+(\\d+) kB`, 'm').exec(status)?.[1] ?? NaN);
  return { rssKb: field('VmRSS'), hwmKb: field('VmHWM') };
}

/** Fields of /proc/<pid>/stat after the command name (which may contain spaces and parentheses). */
function statFields(pid: number): string[] | undefined {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    return stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  } catch {
    return undefined; // gone in the meantime
  }
}

/** utime + stime of one process, in ms. With `children`, adds the reaped children's times too. */
export function cpuMsOf(pid: number, children = false): number {
  const f = statFields(pid);
  if (!f) return 0;
  // after the name: state(0) ppid(1) ... utime(11) stime(12) cutime(13) cstime(14)
  const ticks = Number(f[11]) + Number(f[12]) + (children ? Number(f[13]) + Number(f[14]) : 0);
  return (ticks * 1000) / clockTicks();
}

/**
 * CPU of a PostgreSQL server (postmaster + its backends and workers, alive or reaped), in ms.
 * The embedded server is not a child of central (it is started detached), hence the scan.
 */
export function postgresCpuMs(postmasterPid: number): number {
  let total = cpuMsOf(postmasterPid, true);
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    const f = statFields(Number(entry));
    if (f && Number(f[1]) === postmasterPid) total += cpuMsOf(Number(entry));
  }
  return total;
}

export function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

export interface TcpCounters {
  /** SYNs dropped because a listener's accept queue was full (TcpExt ListenOverflows). */
  listenOverflows: number;
  /** SYN retransmissions by clients (TcpExt TCPSynRetrans): the cost of those drops, 1/3/7/15 s later. */
  synRetransmits: number;
}

/** Counters of this network namespace: anything else using TCP here at the same time adds to them. */
export function tcpCounters(): TcpCounters {
  const lines = readFileSync('/proc/net/netstat', 'utf8').split('\n');
  const i = lines.findIndex((l) => l.startsWith('TcpExt:'));
  const names = lines[i].split(/\s+/);
  const values = lines[i + 1].split(/\s+/).map(Number);
  const get = (name: string) => values[names.indexOf(name)] ?? NaN;
  return { listenOverflows: get('ListenOverflows'), synRetransmits: get('TCPSynRetrans') };
}

export interface MachineCpu {
  /** Time the machine's CPUs spent on anything (user, system, interrupts), ms summed over CPUs. */
  busyMs: number;
  idleMs: number;
  /** Time the hypervisor ran something else while this machine wanted a CPU (`steal`), ms. */
  stealMs: number;
}

/** The machine's CPU time so far, from the first line of /proc/stat. */
export function machineCpu(): MachineCpu {
  const line = readFileSync('/proc/stat', 'utf8').split('\n', 1)[0]!;
  // cpu user nice system idle iowait irq softirq steal …
  const [user, nice, system, idle, iowait, irq, softirq, steal] = line
    .trim()
    .split(/\s+/)
    .slice(1)
    .map(Number);
  const ms = (ticks: number) => ((ticks || 0) * 1000) / clockTicks();
  return {
    busyMs: ms(user! + nice! + system! + irq! + softirq!),
    idleMs: ms(idle! + iowait!),
    stealMs: ms(steal!),
  };
}

/** Percentage of the CPU time between two readings that the hypervisor took away. */
export function stealPercent(before: MachineCpu, after: MachineCpu): number {
  const busy = after.busyMs - before.busyMs;
  const idle = after.idleMs - before.idleMs;
  const steal = after.stealMs - before.stealMs;
  const total = busy + idle + steal;
  return total > 0 ? (100 * steal) / total : 0;
}
