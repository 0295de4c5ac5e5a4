import { readdirSync, readFileSync, readlinkSync, realpathSync, rmSync } from 'node:fs';
import { join } from 'node:path';

/**
 * What `<cluster>/postmaster.pid` says about the cluster, checked against the process table rather than
 * trusted: `pg_ctl status` only asks whether the pid exists, and here a killed postmaster stays a zombie
 * when the process that adopted it does not reap (a container's pid 1), and after a reboot the pid may
 * belong to anything. Either way PostgreSQL itself refuses to start ("lock file already exists").
 */
export type PostmasterState =
  | { kind: 'running'; pid: number }
  | { kind: 'stopped' }
  /** The lock file names a process that is not (any more) the postmaster of this cluster. */
  | { kind: 'stale'; pid: number; reason: string };

/** One process as Linux shows it, or undefined when it does not exist or is a zombie. */
interface LiveProcess {
  /** Clock ticks after boot at which it started: with the pid, names one process for good. */
  startTime: number;
  command: string;
}

export function liveProcess(pid: number): LiveProcess | undefined {
  let stat: string;
  try {
    stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
  } catch {
    return procfsMissing() ? signalProbe(pid) : undefined;
  }
  // "pid (comm) state ppid …": comm may hold spaces and parentheses, so split after the last ')'.
  const close = stat.lastIndexOf(')');
  const fields = stat.slice(close + 2).split(' ');
  if (fields[0] === 'Z' || fields[0] === 'X') return undefined;
  return { startTime: Number(fields[19]), command: stat.slice(stat.indexOf('(') + 1, close) };
}

let procfs: boolean | undefined;
function procfsMissing(): boolean {
  procfs ??= (() => {
    try {
      readFileSync('/proc/self/stat');
      return true;
    } catch {
      return false;
    }
  })();
  return !procfs;
}

/** Without /proc (not Linux): the pid exists, nothing more is known. */
function signalProbe(pid: number): LiveProcess | undefined {
  try {
    process.kill(pid, 0);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'EPERM') return undefined;
  }
  return { startTime: 0, command: 'postgres' };
}

/** The folder a process runs in (a postmaster and its backends run in their data directory). */
function workingDirectory(pid: number): string | undefined {
  try {
    return readlinkSync(`/proc/${pid}/cwd`);
  } catch {
    return undefined; // not ours to read, or gone
  }
}

function canonical(path: string): string {
  try {
    return realpathSync(path);
  } catch {
    return path;
  }
}

export function postmasterState(pgDir: string): PostmasterState {
  let lines: string[];
  try {
    lines = readFileSync(join(pgDir, 'postmaster.pid'), 'utf8').split('\n');
  } catch {
    return { kind: 'stopped' };
  }
  const pid = Number(lines[0]);
  if (!Number.isInteger(pid) || pid <= 0) return { kind: 'stale', pid: 0, reason: 'it names no process' };
  const dir = canonical(pgDir);
  if (lines[1] && canonical(lines[1]) !== dir)
    return { kind: 'stale', pid, reason: `it was written for ${lines[1]}` };
  const found = liveProcess(pid);
  if (!found) return { kind: 'stale', pid, reason: `process ${pid} is gone` };
  if (found.command !== 'postgres')
    return { kind: 'stale', pid, reason: `process ${pid} is ${found.command}, not PostgreSQL` };
  const cwd = workingDirectory(pid);
  if (cwd !== undefined && canonical(cwd) !== dir)
    return { kind: 'stale', pid, reason: `process ${pid} is the PostgreSQL of ${cwd}` };
  return { kind: 'running', pid };
}

/**
 * Live processes still working in the cluster directory: backends of a killed postmaster finish what they
 * were doing before they notice. PostgreSQL's own check for them needs the lock file that has to go, so
 * it is done here: the lock is removed only once none is left.
 */
export function clusterProcesses(pgDir: string): number[] {
  if (procfsMissing()) return [];
  const dir = canonical(pgDir);
  const pids: number[] = [];
  for (const name of readdirSync('/proc')) {
    const pid = Number(name);
    if (!Number.isInteger(pid) || pid === process.pid) continue;
    const cwd = workingDirectory(pid);
    if (cwd !== undefined && canonical(cwd) === dir && liveProcess(pid)) pids.push(pid);
  }
  return pids;
}

/** Removes the lock files of a postmaster that is gone (postmaster.pid and the socket's lock). */
export function removeStaleLocks(pgDir: string, socketDir: string | undefined, port: number): void {
  rmSync(join(pgDir, 'postmaster.pid'), { force: true });
  if (socketDir) rmSync(join(socketDir, `.s.PGSQL.${port}.lock`), { force: true });
}
