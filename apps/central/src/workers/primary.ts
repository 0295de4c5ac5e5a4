import cluster, { type Worker } from 'node:cluster';
import { markDeadNodeSessions } from '../agents/dead-node-sessions.repository.js';
import { type CentralConfig } from '../config/central-config.js';
import { openDatabase, type Database } from '../database/database.js';
import { runningBanner } from '../running-banner.js';
import { prefixLines } from './prefixed-output.js';
import { RespawnBackoff } from './respawn-backoff.js';
import { MetricsRelay } from './metrics-relay.js';
import { isWorkerMessage, WORKER_INDEX_VARIABLE, type WorkerMessage } from './worker-messages.js';

/** The primary needs few connections: it only marks the sessions of workers that died. */
const PRIMARY_POOL_SIZE = 2;
/** A worker that has not drained after SIGTERM within this is killed (its sessions are then forgotten). */
const STOP_GRACE_MS = 30_000;

type Running = Extract<WorkerMessage, { switchyard: 'running' }>;

interface Slot {
  index: number;
  worker: Worker | undefined;
  nodeId: string | undefined;
  startedAt: number;
  backoff: RespawnBackoff;
  /** The marking of a dead worker's agents, which must end before the database closes. */
  forgotten: Promise<string>;
  /** Settled when the current worker runs (true) or exits before (false). */
  ready: Promise<boolean>;
}

const log = (line: string) => console.log(`[primary] ${line}`);

/**
 * The primary of cluster mode (ADR 33): owns the database (the embedded server with its restart watch,
 * and migrations), starts the workers, replaces a worker that dies (with a backoff against crash loops)
 * after marking its agents disconnected, and on SIGTERM stops the workers (each drains like a single
 * central) and then the database. It serves nothing itself: the workers bind the agent ports
 * (SO_REUSEPORT) and share the admin port.
 */
export async function runPrimary(config: CentralConfig, count: number, why: string): Promise<void> {
  log(`cluster mode: ${count} workers (${why})`);
  let stopping = false;
  let database: Database | undefined;
  const opening: { database?: Promise<Database> } = {};
  const slots: Slot[] = [];
  let firstRun: Running | undefined;
  /** Workers that asked for the database URL before the database was open. */
  const waitingForDatabase: Worker[] = [];
  // `/metrics` of any worker answers for the whole node: the primary gathers every worker's figures.
  const metrics = new MetricsRelay(() =>
    slots.flatMap((s) => (s.worker?.isConnected() ? [{ index: s.index, worker: s.worker }] : [])),
  );

  const stop = async (signal: string, code: number) => {
    if (stopping) return;
    stopping = true;
    log(`${signal}: stopping ${slots.filter((s) => s.worker).length} worker(s), then the database`);
    await Promise.all(slots.map((slot) => stopWorker(slot)));
    await Promise.all(slots.map((slot) => slot.forgotten));
    // A signal while the database opens: let it open, then close it (never leave the server running).
    if (!database) database = await opening.database?.catch(() => undefined);
    await database
      ?.close()
      .catch((error: Error) => log(`error while closing the database: ${error.message}`));
    process.exit(code);
  };

  const stopWorker = async (slot: Slot) => {
    const worker = slot.worker;
    if (!worker || worker.process.exitCode !== null || worker.process.signalCode !== null) return;
    const exited = new Promise<void>((resolve) => worker.once('exit', () => resolve()));
    worker.process.kill('SIGTERM');
    const timer = setTimeout(() => {
      log(`worker ${slot.index} did not stop within ${STOP_GRACE_MS / 1000} s: killing it`);
      worker.process.kill('SIGKILL');
    }, STOP_GRACE_MS);
    await exited;
    clearTimeout(timer);
  };

  /**
   * A worker process has exited: its node is certainly dead, so its agents must not be shown online even
   * for the second or two the other nodes take to see its lease released (ADR 34). The statement the
   * survivors use: its node row goes and the agents it still held are marked disconnected, seen last at
   * its last heartbeat (ADR 22).
   */
  const forget = async (slot: Slot) => {
    const nodeId = slot.nodeId;
    slot.nodeId = undefined;
    if (!nodeId || !database) return '';
    try {
      const marked = await markDeadNodeSessions(database.dataSource, nodeId);
      return `; node ${nodeId} forgotten, ${marked} agent(s) marked disconnected`;
    } catch (error) {
      return `; could not mark its agents disconnected (${(error as Error).message}): the heartbeat timeout will`;
    }
  };

  const start = (slot: Slot) => {
    const worker = cluster.fork({ [WORKER_INDEX_VARIABLE]: String(slot.index) });
    slot.worker = worker;
    slot.startedAt = Date.now();
    prefixLines(worker.process.stdout, process.stdout, `[worker ${slot.index}] `);
    prefixLines(worker.process.stderr, process.stderr, `[worker ${slot.index}] `);
    let settle: (running: boolean) => void = () => undefined;
    slot.ready = new Promise((resolve) => (settle = resolve));
    worker.on('message', (message: unknown) => {
      if (metrics.handle(slot.index, worker, message)) return;
      if (!isWorkerMessage(message)) return;
      if (message.switchyard === 'database?') {
        if (database) worker.send({ switchyard: 'database', url: database.url });
        else waitingForDatabase.push(worker);
        return;
      }
      slot.nodeId = message.nodeId;
      firstRun ??= message;
      if (firstRun !== message)
        log(`worker ${slot.index} (pid ${worker.process.pid}) runs node ${message.nodeId}`);
      settle(true);
    });
    worker.on('exit', (code, signal) => {
      settle(false);
      if (slot.worker === worker) slot.worker = undefined;
      const how = signal ? `signal ${signal}` : `code ${code}`;
      slot.forgotten = forget(slot);
      void slot.forgotten.then((forgotten) => {
        if (stopping) {
          log(`worker ${slot.index} (pid ${worker.process.pid}) stopped (${how})${forgotten}`);
          return;
        }
        const delay = slot.backoff.exited(Date.now() - slot.startedAt);
        log(
          `worker ${slot.index} (pid ${worker.process.pid}) exited with ${how}${forgotten}; ` +
            `replacing it in ${delay / 1000} s`,
        );
        setTimeout(() => {
          if (!stopping) start(slot);
        }, delay).unref();
      });
    });
  };

  process.on('SIGTERM', () => void stop('SIGTERM', 0));
  process.on('SIGINT', () => void stop('SIGINT', 0));

  // The admin port is shared through the primary's handle, accepted by the workers themselves (no
  // hand-over per request); the agent ports are bound by each worker with SO_REUSEPORT.
  cluster.schedulingPolicy = cluster.SCHED_NONE;
  cluster.setupPrimary({ silent: true });
  for (let index = 1; index <= count; index++)
    slots.push({
      index,
      worker: undefined,
      nodeId: undefined,
      startedAt: 0,
      backoff: new RespawnBackoff(),
      forgotten: Promise.resolve(''),
      ready: Promise.resolve(false),
    });

  // The first worker loads its code (seconds of CPU: Nest, TypeORM, the application) while the database
  // opens here on the other core; it asks for the database URL once loaded and gets it when it is open.
  start(slots[0]!);
  // One database for all workers: the embedded server is started (and watched) here, migrations run once.
  opening.database = openDatabase({ ...config, databasePoolSize: PRIMARY_POOL_SIZE }, log);
  try {
    database = await opening.database;
  } catch (error) {
    stopping = true;
    slots[0]!.worker?.process.kill('SIGTERM');
    throw error;
  }
  for (const worker of waitingForDatabase.splice(0))
    if (worker.isConnected()) worker.send({ switchyard: 'database', url: database.url });
  if (stopping) return;

  // The first worker runs alone: it creates the first admin and the server certificate, which
  // concurrent first boots would race for. A first worker that cannot start means central cannot.
  if (!(await slots[0]!.ready)) {
    if (!stopping) log('the first worker could not start (its log says why): stopping');
    return stop('start failed', 1);
  }
  for (const slot of slots.slice(1)) start(slot);
  await Promise.all(slots.slice(1).map((s) => s.ready));
  if (stopping || !firstRun) return;
  const nodes = slots.map((s) => s.nodeId ?? `(worker ${s.index} restarting)`).join(', ');
  console.log(
    runningBanner({
      nodes: `${count} workers, nodes ${nodes}`,
      adminUrl: firstRun.adminUrl,
      firstAdmin: firstRun.firstAdmin,
    }),
  );
}
