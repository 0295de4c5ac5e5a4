import { ConfigError, loadCentralConfig } from './config/central-config.js';
import { startCentral } from './central-app.js';
import { missingNodeFlags } from './runtime-flags.js';

async function main(): Promise<void> {
  let config;
  try {
    config = loadCentralConfig();
  } catch (error) {
    if (error instanceof ConfigError) {
      console.error(`switchyard central: ${error.message}`);
      process.exit(2);
    }
    throw error;
  }
  // Signals are handled from the start: a SIGTERM that arrives while central starts (or just after
  // it says it is running) must stop it cleanly, not kill it with the embedded PostgreSQL left running.
  const started: { central?: Awaited<ReturnType<typeof startCentral>> } = {};
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

  const central = await startCentral(config);
  started.central = central;
  const lines = [
    '',
    `Switchyard central is running (node ${central.node.id})`,
    `  admin UI and API:  ${central.adminUrl}  (API under /api)`,
  ];
  if (central.firstAdmin?.generatedPassword) {
    lines.push(
      `  first admin:       user "admin", password ${central.firstAdmin.generatedPassword}`,
      '                     (shown once; set SWITCHYARD_ADMIN_PASSWORD to choose it yourself)',
    );
  } else if (central.firstAdmin) {
    lines.push('  first admin:       user "admin", password from SWITCHYARD_ADMIN_PASSWORD');
  }
  const missing = missingNodeFlags();
  if (missing.length > 0) {
    lines.push(
      `  note:              started without ${missing.join(' ')} (npm start passes it): rollouts to`,
    );
    lines.push('                     thousands of agents take longer (README: Running central as a service)');
  }
  lines.push(
    '  start an agent:    create an enrollment token (POST /api/agents/enrollment-tokens), then',
    '                     npm run agent -- --home <agent dir> --token <token>   (see README)',
    '',
  );
  console.log(lines.join('\n'));
  if (requested) stop(requested);
}

main().catch((error: Error) => {
  console.error(`switchyard central failed to start: ${error.message}`);
  process.exit(1);
});
