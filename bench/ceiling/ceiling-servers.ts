/**
 * Starts and stops the ceiling targets: W bare `ws` processes on one TLS port (`bare`), or nginx
 * terminating TLS in front of W bare processes on plain `ws` (`nginx`). Every process is stopped by
 * its own PID.
 */
import { fork, spawn, type ChildProcess } from 'node:child_process';
import { accessSync, constants, mkdirSync, writeFileSync } from 'node:fs';
import { connect } from 'node:net';
import { delimiter, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { sleep } from '../connections/stats.js';
import { treeOf } from '../connections/process-tree.js';
import { type ProfileSync } from '../../libs/protocol/index.js';
import { type BareArchive } from './bare-push.js';
import { type BareServerCommand, type BareServerConfig, type BareServerMessage } from './bare-ws.js';
import { nginxConfig } from './nginx-config.js';
import { type TlsFixture } from './tls-fixture.js';

const BARE_SCRIPT = fileURLToPath(new URL('./bare-ws-server.js', import.meta.url));

/** A running ceiling target. */
export interface CeilingServer {
  /** The processes serving the connections now (measured together). */
  pids(): number[];
  /** nginx: its own processes, a subset of `pids()`. */
  frontPids?(): number[];
  stop(): Promise<void>;
}

/** The bare target; started with an archive, it is the rollout bench's ceiling too. */
export interface BarePushServer extends CeilingServer {
  /** Every process sends `profile.sync` to its sessions at once; resolves with how many it went to. */
  push(frame: ProfileSync): Promise<number>;
}

export interface BareOptions {
  processes: number;
  port: number;
  tls?: TlsFixture;
  heartbeatIntervalMs: number;
  archive?: BareArchive;
}

/** Resolves when the child exits; SIGTERM first, SIGKILL after `graceMs`. */
async function stopChild(child: ChildProcess, graceMs = 10_000): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return;
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  child.kill('SIGTERM');
  const timer = setTimeout(() => child.kill('SIGKILL'), graceMs);
  await exited;
  clearTimeout(timer);
}

function startBareProcess(config: BareServerConfig): Promise<ChildProcess> {
  const child = fork(BARE_SCRIPT, [JSON.stringify(config)], {
    stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
    execArgv: [],
  });
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      reject(new Error(`bare ws server on port ${config.port} did not listen within 30 s`));
    }, 30_000);
    child.once('message', (message: BareServerMessage) => {
      clearTimeout(timer);
      if (message.type === 'listening') resolve(child);
      else if (message.type === 'error')
        reject(new Error(`bare ws server on port ${config.port}: ${message.message}`));
    });
    child.once('exit', (code, signal) => {
      clearTimeout(timer);
      reject(new Error(`bare ws server on port ${config.port} exited (${signal ?? code}) before listening`));
    });
  });
}

export async function startBare(options: BareOptions): Promise<BarePushServer> {
  const children: ChildProcess[] = [];
  try {
    // One after the other: with reusePort, a process listening early only takes connections sooner.
    for (let i = 0; i < options.processes; i++) {
      children.push(
        await startBareProcess({
          host: '127.0.0.1',
          port: options.port,
          heartbeatIntervalMs: options.heartbeatIntervalMs,
          ...(options.tls ? { tls: { keyFile: options.tls.keyFile, certFile: options.tls.certFile } } : {}),
          ...(options.archive ? { archive: options.archive } : {}),
        }),
      );
    }
  } catch (error) {
    await Promise.all(children.map((c) => stopChild(c)));
    throw error;
  }
  return {
    pids: () => children.flatMap((c) => (c.exitCode === null && c.pid ? [c.pid] : [])),
    stop: async () => {
      await Promise.all(children.map((c) => stopChild(c)));
    },
    push: async (frame: ProfileSync) => {
      const sent = await Promise.all(children.map((c) => pushVia(c, frame)));
      return sent.reduce((a, b) => a + b, 0);
    },
  };
}

function pushVia(child: ChildProcess, frame: ProfileSync): Promise<number> {
  return new Promise((resolve, reject) => {
    const onMessage = (message: BareServerMessage) => {
      if (message.type !== 'pushed') return;
      child.off('message', onMessage);
      child.off('exit', onExit);
      resolve(message.sent);
    };
    const onExit = () => reject(new Error(`bare ws server (pid ${child.pid}) exited before it pushed`));
    child.on('message', onMessage);
    child.once('exit', onExit);
    child.send({ type: 'push', frame } satisfies BareServerCommand);
  });
}

/** The nginx binary: on the PATH or where Debian puts it; undefined when not installed. */
export function findNginx(): string | undefined {
  const dirs = [
    ...(process.env.PATH ?? '').split(delimiter),
    '/usr/sbin',
    '/usr/local/sbin',
    '/usr/local/nginx/sbin',
  ];
  for (const dir of dirs) {
    const file = join(dir, 'nginx');
    try {
      accessSync(file, constants.X_OK);
      return file;
    } catch {
      // not here
    }
  }
  return undefined;
}

async function waitForPort(port: number, what: string, timeoutMs = 15_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const ok = await new Promise<boolean>((resolve) => {
      const socket = connect({ host: '127.0.0.1', port }, () => {
        socket.destroy();
        resolve(true);
      });
      socket.on('error', () => resolve(false));
    });
    if (ok) return;
    if (Date.now() > deadline)
      throw new Error(`${what} did not accept on port ${port} within ${timeoutMs} ms`);
    await sleep(100);
  }
}

export interface NginxOptions {
  binary: string;
  /** A directory of the run for the configuration, pid file and logs. */
  dir: string;
  workers: number;
  agents: number;
  port: number;
  upstreamPort: number;
  tls: TlsFixture;
  clientSources: string[];
  upstream: BareOptions;
}

export async function startNginx(options: NginxOptions): Promise<CeilingServer> {
  const upstream = await startBare({ ...options.upstream, port: options.upstreamPort, tls: undefined });
  const prefix = join(options.dir, 'nginx');
  for (const sub of ['', 'client_body', 'proxy', 'fastcgi', 'uwsgi', 'scgi'])
    mkdirSync(join(prefix, sub), { recursive: true });
  const conf = join(prefix, 'nginx.conf');
  writeFileSync(
    conf,
    nginxConfig({
      prefix,
      workers: options.workers,
      connectionsPerWorker: Math.ceil(options.agents / options.workers),
      listenPort: options.port,
      upstreamPort: options.upstreamPort,
      certFile: options.tls.certFile,
      keyFile: options.tls.keyFile,
      clientSources: options.clientSources,
      asRoot: process.getuid?.() === 0,
    }),
  );
  const master = spawn(options.binary, ['-p', prefix, '-c', conf, '-e', join(prefix, 'error.log')], {
    stdio: ['ignore', 'inherit', 'inherit'],
  });
  const failed = new Promise<never>((_, reject) =>
    master.once('exit', (code, signal) =>
      reject(new Error(`nginx exited (${signal ?? code}) at start; see ${join(prefix, 'error.log')}`)),
    ),
  );
  try {
    await Promise.race([waitForPort(options.port, 'nginx'), failed]);
  } catch (error) {
    await stopChild(master);
    await upstream.stop();
    throw error;
  }
  failed.catch(() => undefined);
  const front = () => (master.exitCode === null && master.pid ? treeOf(master.pid) : []);
  return {
    frontPids: front,
    pids: () => [...front(), ...upstream.pids()],
    stop: async () => {
      // SIGTERM is nginx's fast shutdown: it closes the client connections at once.
      await stopChild(master);
      await upstream.stop();
    },
  };
}
