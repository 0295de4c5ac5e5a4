import { AsyncLocalStorage } from 'node:async_hooks';
import { Agent } from 'node:https';
import { rootCertificates } from 'node:tls';
import acme from 'acme-client';

const trust = new AsyncLocalStorage<Agent>();
let interceptorInstalled = false;

// acme-client retries network errors and 5xx 5 times, 5 s apart and growing (75 s in all): an operator
// waiting on a mistyped directory URL should hear back sooner. 3 retries, 2 s apart and growing: 12 s.
const settings = (acme.axios.defaults as unknown as { acmeSettings?: Record<string, number> }).acmeSettings;
if (settings) Object.assign(settings, { retryMaxAttempts: 3, retryDefaultDelay: 2 });
// axios waits forever by default; a CA that stops answering must fail the order, not hold the lock.
acme.axios.defaults.timeout = 30_000;

/**
 * Runs `work` with an extra trusted CA for the ACME server's HTTPS (pebble's test CA, a private ACME
 * CA). acme-client has one axios instance for every client, so the agent is picked per async context:
 * only the requests of this order use it, and nothing else in the process trusts that CA.
 */
export function withDirectoryTrust<T>(caPem: string | undefined, work: () => Promise<T>): Promise<T> {
  if (!caPem) return work();
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
