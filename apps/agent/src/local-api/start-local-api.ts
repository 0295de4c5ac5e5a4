import type { AgentConf } from '../../../../libs/agent-conf/index.js';
import type { AgentHome } from '../agent-home.js';
import type { Logger } from '../logger.js';
import { AGENT_VERSION } from '../version.js';
import { FileArea } from './file-area.js';
import { LocalApiServer } from './local-api-server.js';

/**
 * Starts the local API when agent.conf enables it. A port already taken is logged, not fatal: the
 * agent's job is its connection to central, which must not stop because of a local convenience.
 */
export async function startLocalApi(
  home: AgentHome,
  conf: AgentConf,
  logger: Logger,
): Promise<LocalApiServer | undefined> {
  const settings = conf.localApi;
  if (!settings.enabled) return undefined;
  const server = new LocalApiServer({
    port: settings.port,
    statusFile: home.statusFile,
    agentId: conf.agentId,
    version: AGENT_VERSION,
    area: new FileArea(home.filesDir, { maxFileSize: settings.maxFileSize, quota: settings.quota }),
    logger,
  });
  try {
    const port = await server.start();
    logger.info(`local API on http://127.0.0.1:${port} (file transfer area ${home.filesDir})`);
    return server;
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    logger.error(
      code === 'EADDRINUSE'
        ? `local API not started: 127.0.0.1:${settings.port} is in use by another program (agent.local.api.port)`
        : `local API not started: ${(error as Error).message}`,
    );
    return undefined;
  }
}
