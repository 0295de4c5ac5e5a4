import { readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { liveProcess } from './postmaster.js';

/**
 * Which process owns the embedded server, kept in `<data>/pg-owner.json`: the owner stops the server when
 * it exits and restarts it when it dies. The server runs detached (pg_ctl), so it outlives a central killed
 * with SIGKILL; the next central on the data directory finds the owner gone and adopts the server, while a
 * second central next to a live owner only uses it. A pid alone could name a new process after a reboot
 * or in a fresh container, so the record also holds the process's start time.
 */
interface OwnerRecord {
  pid: number;
  startTime: number;
}

const fileOf = (dataDir: string) => join(dataDir, 'pg-owner.json');

function read(dataDir: string): OwnerRecord | undefined {
  try {
    const value = JSON.parse(readFileSync(fileOf(dataDir), 'utf8')) as OwnerRecord;
    return Number.isInteger(value.pid) && Number.isFinite(value.startTime) ? value : undefined;
  } catch {
    return undefined; // none yet, or cut short by a crash: nobody owns the server
  }
}

function self(): OwnerRecord {
  return { pid: process.pid, startTime: liveProcess(process.pid)?.startTime ?? 0 };
}

export type Owner = 'me' | 'other' | 'none';

/** Whether this process, another live process, or nobody (a dead or missing owner) owns the server. */
export function ownerOf(dataDir: string): Owner {
  const record = read(dataDir);
  if (!record) return 'none';
  const me = self();
  if (record.pid === me.pid && record.startTime === me.startTime) return 'me';
  const found = liveProcess(record.pid);
  return found && found.startTime === record.startTime ? 'other' : 'none';
}

/** Records this process as the owner (atomically: a reader sees the old record or the new one). */
export function claimOwnership(dataDir: string): void {
  const partial = `${fileOf(dataDir)}.${process.pid}`;
  writeFileSync(partial, JSON.stringify(self()) + '\n', { mode: 0o600 });
  renameSync(partial, fileOf(dataDir));
}

export function releaseOwnership(dataDir: string): void {
  if (ownerOf(dataDir) === 'me') rmSync(fileOf(dataDir), { force: true });
}
