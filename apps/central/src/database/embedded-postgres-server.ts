import { execFile, spawnSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import {
  chmodSync,
  chownSync,
  existsSync,
  mkdirSync,
  readFileSync,
  renameSync,
  statSync,
  writeFileSync,
} from 'node:fs';
import { dirname, join } from 'node:path';
import { promisify } from 'node:util';
import { freePort } from '../common/free-port.js';
import { claimOwnership, ownerOf, releaseOwnership } from './embedded-postgres-owner.js';
import {
  EMBEDDED_DATABASE,
  embeddedUrl,
  socketDirectoryFor,
  socketPath,
} from './embedded-postgres-socket.js';
import { clusterProcesses, postmasterState, removeStaleLocks } from './postmaster.js';
import { binariesFor, clusterDirFor } from './server-user-access.js';

const run = promisify(execFile);

/**
 * Connection facts of the embedded cluster, kept in `<data>/pg.json` (0600) so a restart reuses them.
 * `database` and `url` are for other nodes and tools: another node joins this installation with
 * `DATABASE_URL=<url>` (a URL ending in `/postgres` would make a second, separate installation).
 */
export interface EmbeddedClusterFile {
  port: number;
  password: string;
  database: string;
  url: string;
}

export interface EmbeddedPostgres {
  url: string;
  /** True while this process owns the server: it stops it on exit and starts it again when it dies. */
  readonly owned: boolean;
  /**
   * Starts the server again when it is gone and no other live process owns it (adopting it when its owner
   * is gone). Returns what it found or did; `starting` is called just before a start is tried.
   */
  ensureRunning(starting?: () => void): Promise<'running' | 'restarted' | 'left to its owner'>;
  stop(): Promise<void>;
}

interface Binaries {
  initdb: string;
  pg_ctl: string;
}

async function loadBinaries(): Promise<Binaries> {
  // The PostgreSQL binaries ship inside the platform package that `embedded-postgres` depends on.
  const name = `@embedded-postgres/${process.platform}-${process.arch}`;
  try {
    return (await import(name)) as Binaries;
  } catch {
    throw new Error(`embedded PostgreSQL is not available for ${process.platform}-${process.arch} (${name})`);
  }
}

/**
 * PostgreSQL refuses to run as root: when central runs as root, the server runs as the `postgres`
 * system user (created if missing), which must own the cluster directory.
 */
function serverUser(): { uid: number; gid: number } | undefined {
  if (process.getuid?.() !== 0) return undefined;
  const lookup = () => spawnSync('id', ['-u', 'postgres'], { encoding: 'utf8' });
  let uid = lookup();
  if (uid.status !== 0) {
    spawnSync('useradd', ['--system', '--user-group', '--no-create-home', 'postgres']);
    uid = lookup();
    if (uid.status !== 0) throw new Error('cannot create the "postgres" user to run the embedded PostgreSQL');
  }
  const gid = spawnSync('id', ['-g', 'postgres'], { encoding: 'utf8' });
  return { uid: Number(uid.stdout.trim()), gid: Number(gid.stdout.trim()) };
}

function clusterFileOf(port: number, password: string): EmbeddedClusterFile {
  return {
    port,
    password,
    database: EMBEDDED_DATABASE,
    url: `postgres://postgres:${encodeURIComponent(password)}@127.0.0.1:${port}/${EMBEDDED_DATABASE}`,
  };
}

/**
 * Reads `<data>/pg.json`, completing a file written before it named the database, and closing it to
 * everyone but its owner when it was readable by others (it holds the superuser password).
 */
function readClusterFile(path: string, log: (line: string) => void): EmbeddedClusterFile | undefined {
  if (!existsSync(path)) return undefined;
  const value = JSON.parse(readFileSync(path, 'utf8')) as Partial<EmbeddedClusterFile>;
  if (!Number.isInteger(value.port) || typeof value.password !== 'string') {
    throw new Error(`${path} is damaged: expected {"port": number, "password": string, …}`);
  }
  const mode = statSync(path).mode & 0o777;
  if (mode & 0o077) {
    chmodSync(path, 0o600);
    log(`${path} was readable by others (mode ${mode.toString(8)}); it holds a password: now 0600`);
  }
  const complete = clusterFileOf(value.port!, value.password);
  if (value.database !== complete.database || value.url !== complete.url) writeClusterFile(path, complete);
  return complete;
}

function writeClusterFile(path: string, cluster: EmbeddedClusterFile): void {
  const partial = `${path}.${process.pid}`;
  writeFileSync(partial, JSON.stringify(cluster, null, 2) + '\n', { mode: 0o600 });
  renameSync(partial, path);
}

/**
 * Starts, adopts or reuses the embedded PostgreSQL cluster under `<dataDir>/pg`. The server runs detached
 * (pg_ctl), so it outlives its central: a second central on the same data directory next to a live owner
 * reuses it; a central that finds the owner gone (killed) adopts it, and stops it on exit (ADR 27).
 */
export async function startEmbeddedPostgres(
  dataDir: string,
  log: (line: string) => void,
): Promise<EmbeddedPostgres> {
  const packaged = await loadBinaries();
  const user = serverUser();
  const asUser = user ? { uid: user.uid, gid: user.gid } : {};
  const bin = user ? binariesFor(user, packaged.initdb) : packaged;
  const clusterFilePath = join(dataDir, 'pg.json');
  mkdirSync(dataDir, { recursive: true, mode: 0o700 });
  if (user) chmodSync(dataDir, 0o711); // the postgres user must reach <data>/pg (and the initial password file), nothing more
  const pgDir = clusterDirFor(dataDir, user, log);

  let cluster = readClusterFile(clusterFilePath, log);
  if (!existsSync(join(pgDir, 'PG_VERSION'))) {
    cluster = clusterFileOf(cluster?.port ?? (await freePort()), randomBytes(24).toString('base64url'));
    log(`initialising the embedded PostgreSQL in ${pgDir}`);
    mkdirSync(pgDir, { recursive: true, mode: 0o700 });
    if (user) chownSync(pgDir, user.uid, user.gid);
    const pwFile = join(dirname(pgDir), `.pg-initial-password-${process.pid}`);
    writeFileSync(pwFile, cluster.password + '\n', { mode: 0o600 });
    if (user) chownSync(pwFile, user.uid, user.gid);
    try {
      await run(
        bin.initdb,
        [
          '-D',
          pgDir,
          '-U',
          'postgres',
          '--auth=scram-sha-256',
          `--pwfile=${pwFile}`,
          '-E',
          'UTF8',
          '--no-locale',
        ],
        { ...asUser },
      );
    } finally {
      spawnSync('rm', ['-f', pwFile]);
    }
    writeClusterFile(clusterFilePath, cluster);
  }
  if (!cluster)
    throw new Error(`${clusterFilePath} is missing: cannot reach the embedded PostgreSQL in ${pgDir}`);
  const { port, password } = cluster;
  const socketDir = socketDirectoryFor(pgDir, port);
  const where = `127.0.0.1:${port}`;

  /** Starts the server unless it runs; false when another process had started it meanwhile. */
  const launch = async (): Promise<boolean> => {
    const state = postmasterState(pgDir);
    if (state.kind === 'running') return false;
    if (state.kind === 'stale') {
      const left = clusterProcesses(pgDir);
      if (left.length > 0)
        throw new Error(
          `processes of the previous embedded PostgreSQL still run in ${pgDir} (pid ${left.join(', ')})`,
        );
      log(`removing the lock files of an embedded PostgreSQL that is gone (${state.reason})`);
      removeStaleLocks(pgDir, socketDir, port);
    }
    // TCP on 127.0.0.1 stays open for tools (psql, the benches); central itself uses the socket.
    const options = `-p ${port} -c listen_addresses=127.0.0.1 -c unix_socket_directories=${socketDir ?? "''"}`;
    try {
      await run(
        bin.pg_ctl,
        ['-D', pgDir, '-o', options, '-l', join(pgDir, 'server.log'), '-w', '-t', '60', 'start'],
        { ...asUser },
      );
    } catch (error) {
      if (postmasterState(pgDir).kind === 'running' && ownerOf(dataDir) === 'other') return false;
      const tail = existsSync(join(pgDir, 'server.log'))
        ? readFileSync(join(pgDir, 'server.log'), 'utf8').trim().split('\n').slice(-3).join(' | ')
        : '';
      throw new Error(
        `embedded PostgreSQL did not start on ${where}: ${(error as Error).message.split('\n')[0]} ${tail}`,
      );
    }
    return true;
  };

  let url: string;
  const found = postmasterState(pgDir);
  if (found.kind === 'running') {
    // A server started by an older central listens on TCP only.
    const socket = socketDir && existsSync(socketPath(socketDir, port)) ? socketDir : undefined;
    url = embeddedUrl(password, port, socket);
    if (ownerOf(dataDir) === 'other') {
      log(`reusing the embedded PostgreSQL already running on ${where}${via(socket)}`);
    } else {
      claimOwnership(dataDir);
      log(
        `adopting the embedded PostgreSQL (pid ${found.pid}) left running on ${where} by a central that is gone${via(socket)}; this central stops it on exit`,
      );
    }
  } else {
    claimOwnership(dataDir);
    await launch().catch((error: unknown) => {
      releaseOwnership(dataDir);
      throw error;
    });
    url = embeddedUrl(password, port, socketDir);
    log(`embedded PostgreSQL started on ${where}${via(socketDir)} (data in ${pgDir})`);
  }

  let stopped = false;
  return {
    url,
    get owned() {
      return ownerOf(dataDir) === 'me';
    },
    ensureRunning: async (starting) => {
      const state = postmasterState(pgDir);
      const owner = ownerOf(dataDir);
      if (state.kind === 'running') {
        if (owner === 'none') {
          claimOwnership(dataDir);
          log(`adopting the embedded PostgreSQL (pid ${state.pid}) on ${where}: its owner is gone`);
        }
        return 'running';
      }
      if (owner === 'other' || stopped) return 'left to its owner';
      if (owner === 'none') claimOwnership(dataDir);
      starting?.();
      return (await launch()) ? 'restarted' : 'running';
    },
    stop: async () => {
      if (stopped) return;
      stopped = true;
      if (ownerOf(dataDir) !== 'me') return; // another central uses it (or adopted it): it stops it
      await run(bin.pg_ctl, ['-D', pgDir, '-m', 'fast', '-w', 'stop'], { ...asUser }).catch(() => undefined);
      releaseOwnership(dataDir);
      log('embedded PostgreSQL stopped');
    },
  };
}

const via = (socketDir: string | undefined) =>
  socketDir ? '; central connects through its Unix socket' : '';
