import { AsyncLocalStorage } from 'node:async_hooks';
import { Agent } from 'node:https';
import { rootCertificates } from 'node:tls';
import { loadAcmeClient } from './acme-client.loader.js';

const trust = new AsyncLocalStorage<Agent>();
let interceptorInstalled = false;

/**
 * Runs `work` with an extra trusted CA for the ACME server's HTTPS (pebble's test CA, a private ACME
 * CA). acme-client has one axios instance for every client, so the agent is picked per async context:
 * only the requests of this order use it, and nothing else in the process trusts that CA.
 */
export async function withDirectoryTrust<T>(caPem: string | undefined, work: () => Promise<T>): Promise<T> {
  if (!caPem) return work();
  const acme = await loadAcmeClient();
  if (!interceptorInstalled) {
    acme.axios.interceptors.request.use((config) => {
      const agent = trust.getStore();
      if (agent) config.httpsAgent = agent;
      return config;
    });
    interceptorInstalled = true;
  }
  const agent = new Agent({ ca: [...rootCertificates, caPem] });
  return trust.run(agent, work).finally(() => agent.destroy());
}
