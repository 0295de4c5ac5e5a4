import cluster from 'node:cluster';
import nodeModule from 'node:module';
import { ConfigError, loadCentralConfig } from './config/central-config.js';
import { type RunningCentral } from './central-app.js';
import { EarlyLog, openDatabaseEarly } from './database/database-early.js';
import { runningBanner } from './running-banner.js';
import { hostFacts, loadWorkersSetting, workerCount } from './workers/worker-count.js';

async function main(): Promise<void> {
  // V8 keeps the compiled code of Nest, TypeORM and the application on disk between starts (Node ≥ 22.1;
  // `os.tmpdir()/node-compile-cache`): about 0.3 s less at each cold start. Before the imports below.
  nodeModule.enableCompileCache?.();
  let config;
  let workers;
  try {
    config = loadCentralConfig();
    workers = workerCount(loadWorkersSetting(), hostFacts(config));
  } catch (error) {
    if (error instanceof ConfigError) {
      console.error(`switchyard central: ${error.message}`);
      process.exit(2);
    }
    throw error;
  }
  // Cluster mode (ADR 33): a primary that owns the database and the workers, each a central node.
  // Loaded when needed: a cluster primary serves nothing and need not load Nest (seconds of CPU at boot,
  // while its first worker loads the same on the other core).
  if (cluster.isWorker) return (await import('./workers/worker.js')).runWorker(config);
  if (workers.count > 1)
    return (await import('./workers/primary.js')).runPrimary(config, workers.count, workers.why);
  // Signals are handled from the start: a SIGTERM that arrives while central starts (or just after
  // it says it is running) must stop it cleanly, not kill it with the embedded PostgreSQL left running.
  const started: { central?: RunningCentral } = {};
  let requested: string | undefined;
  let stopping = false;
  const stop = (signal: string) => {
    const central = started.central;
    if (!central) {
      requested ??= signal;
      console.log(`${signal}: central stops as soon as it has started`);
      return;
    }
    if (stopping) return;
    stopping = true;
    console.log(`${signal}: stopping central`);
    central.close().then(
      () => process.exit(0),
      (error: Error) => {
        console.error(`error while stopping: ${error.message}`);
        process.exit(1);
      },
    );
  };
  process.on('SIGINT', () => stop('SIGINT'));
  process.on('SIGTERM', () => stop('SIGTERM'));

  // The embedded PostgreSQL starts while Nest and the application load, not after them (cold start).
  const early = new EarlyLog();
  const opening = openDatabaseEarly(config, early.line);
  opening.catch(() => undefined); // startCentral awaits it and reports a failure
  const { startCentral } = await import('./central-app.js');
  const central = await startCentral(config, undefined, (log) => {
    early.attach(log);
    return opening;
  }).catch(async (error: unknown) => {
    // Failed before it took the database over (e.g. the master key): the server started early stops too.
    await opening.then((database) => database.close()).catch(() => undefined);
    throw error;
  });
  started.central = central;
  console.log(
    runningBanner({
      nodes: `node ${central.node.id}`,
      adminUrl: central.adminUrl,
      firstAdmin: central.firstAdmin,
    }),
  );
  if (requested) stop(requested);
}

main().catch((error: Error) => {
  console.error(`switchyard central failed to start: ${error.message}`);
  process.exit(1);
});
