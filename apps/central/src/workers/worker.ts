import { type CentralConfig } from '../config/central-config.js';
import { startCentral, type RunningCentral } from '../central-app.js';
import { createDataSource, redactUrl, type Database } from '../database/database.js';
import { isPrimaryMessage, WORKER_INDEX_VARIABLE, type WorkerMessage } from './worker-messages.js';

const send = (message: WorkerMessage) => process.send?.(message);

/** Asks the primary for the database URL: the primary has started the server and applied migrations. */
function databaseUrl(): Promise<string> {
  return new Promise((resolve) => {
    const onMessage = (message: unknown) => {
      if (!isPrimaryMessage(message)) return;
      process.off('message', onMessage);
      resolve(message.url);
    };
    process.on('message', onMessage);
    send({ switchyard: 'database?' });
  });
}

/** The primary's database, joined as one more client: no migrations (the primary ran them), no server. */
async function joinDatabase(url: string, poolSize: number): Promise<Database> {
  const dataSource = createDataSource(url, poolSize);
  try {
    await dataSource.initialize();
  } catch (error) {
    throw new Error(`cannot connect to PostgreSQL at ${redactUrl(url)}: ${(error as Error).message}`);
  }
  return {
    dataSource,
    embedded: undefined,
    url,
    close: async () => {
      if (dataSource.isInitialized) await dataSource.destroy();
    },
  };
}

/**
 * One worker of cluster mode: a full central node (its own node id, heartbeat and sessions, ADR 5) on the
 * primary's database, binding the shared ports. It stops like a single central on SIGTERM, and also when
 * the primary is gone (the IPC channel closed): a worker never runs on without its primary.
 */
export async function runWorker(config: CentralConfig): Promise<void> {
  const index = process.env[WORKER_INDEX_VARIABLE] ?? '?';
  // An explicit node name gets the slot: a replaced worker reaps its previous run by name at boot (ADR 5).
  const nodeConfig = { ...config, nodeName: config.nodeName && `${config.nodeName}-w${index}` };
  const started: { central?: RunningCentral } = {};
  let stopRequested = false;
  let stopping = false;
  let joined = false;
  const stop = (why: string) => {
    stopRequested = true;
    // Still waiting for the primary's database (it is stopping while it opens): nothing to drain.
    if (!joined) process.exit(0);
    const central = started.central;
    if (!central || stopping) return;
    stopping = true;
    console.log(`${why}: stopping this worker`);
    central.close().then(
      () => process.exit(0),
      (error: Error) => {
        console.error(`error while stopping: ${error.message}`);
        process.exit(1);
      },
    );
  };
  process.on('SIGTERM', () => stop('SIGTERM'));
  process.on('SIGINT', () => stop('SIGINT'));
  process.on('disconnect', () => {
    if (!started.central) process.exit(1);
    stop('the primary is gone');
  });

  const url = await databaseUrl();
  joined = true;
  const central = await startCentral(nodeConfig, undefined, () => joinDatabase(url, config.databasePoolSize));
  started.central = central;
  send({
    switchyard: 'running',
    nodeId: central.node.id,
    adminUrl: central.adminUrl,
    firstAdmin: central.firstAdmin,
  });
  if (stopRequested) stop('stop requested during start');
}
