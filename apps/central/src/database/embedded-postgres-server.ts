import { execFile, spawnSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { chmodSync, chownSync, existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { promisify } from 'node:util';
import { freePort } from '../common/free-port.js';
import { embeddedUrl, socketDirectoryFor, socketPath } from './embedded-postgres-socket.js';
import { binariesFor, clusterDirFor } from './server-user-access.js';

const run = promisify(execFile);

/** Connection facts of the embedded cluster, kept in `<data>/pg.json` (0600) so a restart reuses them. */
interface EmbeddedClusterFile {
  port: number;
  password: string;
}

export interface EmbeddedPostgres {
  url: string;
  /** True when this process started the server (and so stops it on shutdown). */
  owned: boolean;
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

function readClusterFile(path: string): EmbeddedClusterFile | undefined {
  if (!existsSync(path)) return undefined;
  const value = JSON.parse(readFileSync(path, 'utf8')) as EmbeddedClusterFile;
  if (!Number.isInteger(value.port) || typeof value.password !== 'string') {
    throw new Error(`${path} is damaged: expected {"port": number, "password": string}`);
  }
  return value;
}

/**
 * Starts (or reuses) the embedded PostgreSQL cluster under `<dataDir>/pg`. The server runs detached
 * (pg_ctl), so a second central on the same data directory finds it running and reuses it.
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

  let cluster = readClusterFile(clusterFilePath);
  if (!existsSync(join(pgDir, 'PG_VERSION'))) {
    cluster = { port: cluster?.port ?? (await freePort()), password: randomBytes(24).toString('base64url') };
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
    writeFileSync(clusterFilePath, JSON.stringify(cluster), { mode: 0o600 });
  }
  if (!cluster)
    throw new Error(`${clusterFilePath} is missing: cannot reach the embedded PostgreSQL in ${pgDir}`);

  const socketDir = socketDirectoryFor(pgDir, cluster.port);
  const status = spawnSync(bin.pg_ctl, ['-D', pgDir, 'status'], { ...asUser, encoding: 'utf8' });
  if (status.status === 0) {
    // A server started by an older central listens on TCP only.
    const socket = socketDir && existsSync(socketPath(socketDir, cluster.port)) ? socketDir : undefined;
    log(`reusing the embedded PostgreSQL already running on 127.0.0.1:${cluster.port}${via(socket)}`);
    return {
      url: embeddedUrl(cluster.password, cluster.port, socket),
      owned: false,
      stop: async () => undefined,
    };
  }
  // TCP on 127.0.0.1 stays open for tools (psql, the benches); central itself uses the socket.
  const options = `-p ${cluster.port} -c listen_addresses=127.0.0.1 -c unix_socket_directories=${socketDir ?? "''"}`;
  try {
    await run(
      bin.pg_ctl,
      ['-D', pgDir, '-o', options, '-l', join(pgDir, 'server.log'), '-w', '-t', '60', 'start'],
      {
        ...asUser,
      },
    );
  } catch (error) {
    const tail = existsSync(join(pgDir, 'server.log'))
      ? readFileSync(join(pgDir, 'server.log'), 'utf8').trim().split('\n').slice(-3).join(' | ')
      : '';
    throw new Error(
      `embedded PostgreSQL did not start on 127.0.0.1:${cluster.port}: ${(error as Error).message.split('\n')[0]} ${tail}`,
    );
  }
  log(`embedded PostgreSQL started on 127.0.0.1:${cluster.port}${via(socketDir)} (data in ${pgDir})`);
  let stopped = false;
  return {
    url: embeddedUrl(cluster.password, cluster.port, socketDir),
    owned: true,
    stop: async () => {
      if (stopped) return;
      stopped = true;
      await run(bin.pg_ctl, ['-D', pgDir, '-m', 'fast', '-w', 'stop'], { ...asUser }).catch(() => undefined);
      log('embedded PostgreSQL stopped');
    },
  };
}

const via = (socketDir: string | undefined) =>
  socketDir ? '; central connects through its Unix socket' : '';
