import { ExitCode } from '../exit-codes.js';
import { Logger } from '../logger.js';
import { CONNECTOR_USAGE, parseConnectorOptions } from './connector-options.js';
import { TlsConnector } from './tls-connector.js';

/** `switchyard-agent connector …`: runs the TLS connector until SIGTERM or SIGINT. */
export async function runConnectorCommand(argv: string[], _env: NodeJS.ProcessEnv): Promise<number> {
  const parsed = parseConnectorOptions(argv);
  if (parsed.kind === 'help') {
    process.stdout.write(CONNECTOR_USAGE);
    return ExitCode.OK;
  }
  if (parsed.kind === 'error') {
    process.stderr.write(`switchyard-agent connector: ${parsed.message}\n\n${CONNECTOR_USAGE}`);
    return ExitCode.USAGE;
  }
  const log = new Logger('info');
  const connector = new TlsConnector(parsed.options, log);
  try {
    await connector.start();
  } catch (error) {
    const { host, port } = parsed.options.listen;
    log.error(`cannot listen on ${host}:${port}: ${(error as Error).message}`);
    return ExitCode.FAILURE;
  }
  const signal = await new Promise<NodeJS.Signals>((resolve) => {
    process.once('SIGTERM', () => resolve('SIGTERM'));
    process.once('SIGINT', () => resolve('SIGINT'));
  });
  log.info(`${signal}: stopping`);
  await connector.stop();
  return ExitCode.OK;
}
