import { join } from 'node:path';
import type { AgentConf, LocalApiSettings } from '../../../../libs/agent-conf/index.js';
import type { AgentHome } from '../agent-home.js';
import { agentEvents, type AgentEvents } from '../central-events/agent-events.js';
import type { Logger } from '../logger.js';
import { AGENT_VERSION } from '../version.js';
import { clientCertificateRefusal } from './client-certificate-check.js';
import { FileArea } from './file-area.js';
import { LocalApiServer } from './local-api-server.js';
import { LocalApiSupervisor } from './local-api-supervisor.js';
import { PasswordCheck } from './password-check.js';
import type { TlsSources } from './tls-material.js';

/** Certificate files are looked at this often: a renewal is served within this time. */
export const CERTIFICATE_POLL_MS = 5000;

/** `state/local-api.json` in the agent home. */
export function localApiStateFile(home: AgentHome): string {
  return join(home.stateDir, 'local-api.json');
}

/**
 * Starts the local API when agent.conf enables it, at the security level it names (ADR 43). Nothing
 * here is fatal to the agent: a port already taken or a certificate not issued yet is logged and
 * written to `state/local-api.json`.
 */
export async function startLocalApi(
  home: AgentHome,
  conf: AgentConf,
  logger: Logger,
  tuning: { pollMs?: number; events?: AgentEvents } = {},
): Promise<LocalApiSupervisor | undefined> {
  // Refusals also go to central's audit log (ADR 51), coalesced there and here.
  const events = tuning.events ?? agentEvents;
  const settings = conf.localApi;
  if (!settings.enabled) return undefined;
  const area = new FileArea(home.filesDir, { maxFileSize: settings.maxFileSize, quota: settings.quota });
  const passwords =
    settings.security === 'https-password' && settings.passwordHash
      ? new PasswordCheck(settings.user, settings.passwordHash, undefined, (event) => {
          supervisor.wrongPassword(event);
          events.report(
            'local_api.wrong_password',
            `wrong user name or password from ${event.address} (${event.inWindow} within the last minute)`,
            event.address,
          );
        })
      : undefined;
  const caName = settings.tlsCaFile
    ? `the CA in ${settings.tlsCaFile} (agent.local.api.tls.ca)`
    : "central's local CA";
  const check =
    settings.security === 'https-client-certificate'
      ? (req: Parameters<typeof clientCertificateRefusal>[0]) =>
          Promise.resolve(clientCertificateRefusal(req, caName))
      : passwords && ((req: Parameters<typeof clientCertificateRefusal>[0]) => passwords.authorize(req));
  const authorize =
    check &&
    (async (req: Parameters<typeof clientCertificateRefusal>[0]) => {
      const denied = await check(req);
      const address = req.socket.remoteAddress ?? 'unknown';
      // Wrong passwords are reported by PasswordCheck; a request without credentials is the usual
      // first step of basic auth, not a refusal worth auditing.
      if (denied?.status === 429) events.report('local_api.too_many_attempts', denied.error, address);
      else if (denied?.status === 403 && settings.security === 'https-client-certificate')
        events.report('local_api.client_certificate_refused', denied.error, address);
      return denied;
    });
  const supervisor: LocalApiSupervisor = new LocalApiSupervisor({
    security: settings.security,
    bindAddress: settings.bindAddress,
    tlsSources: settings.security === 'plain' ? undefined : tlsSources(home, settings),
    requestCert: settings.security === 'https-client-certificate',
    stateFile: localApiStateFile(home),
    logger,
    pollMs: tuning.pollMs ?? CERTIFICATE_POLL_MS,
    makeServer: (tls) =>
      new LocalApiServer({
        port: settings.port,
        bindAddress: settings.bindAddress,
        tls,
        authorize,
        describe: () => {
          const { security, certificate, wrongPasswords } = supervisor.state;
          return { security, certificate, wrongPasswords };
        },
        statusFile: home.statusFile,
        agentId: conf.agentId,
        version: AGENT_VERSION,
        area,
        logger,
        onRefusal: (kind, reason, address) => events.report(kind, reason, address),
      }),
  });
  await supervisor.start();
  return supervisor;
}

function tlsSources(home: AgentHome, settings: LocalApiSettings): TlsSources {
  const fromConf = settings.tlsCertFile !== undefined && settings.tlsKeyFile !== undefined;
  const sources: TlsSources = fromConf
    ? {
        certFile: home.resolve(settings.tlsCertFile!),
        keyFile: home.resolve(settings.tlsKeyFile!),
        origin: 'conf',
      }
    : { certFile: home.clientCertificateFile, keyFile: home.clientKeyFile, origin: 'agent' };
  if (settings.security === 'https-client-certificate') {
    sources.ca = settings.tlsCaFile
      ? { file: home.resolve(settings.tlsCaFile), skipLeaf: false }
      : { file: home.clientCertificateFile, skipLeaf: true };
  }
  return sources;
}
