import type acmeClient from 'acme-client';

export type AcmeClientModule = typeof acmeClient;

let loading: Promise<AcmeClientModule> | undefined;

/**
 * acme-client, loaded at the first ACME order instead of at every start: with axios it costs about 0.2 s
 * of CPU to load, a good part of a cold start's budget (ADR 52), and most installations never order.
 * Its one axios instance (shared by every client) is set up once, here.
 */
export function loadAcmeClient(): Promise<AcmeClientModule> {
  loading ??= import('acme-client').then(({ default: acme }) => {
    // acme-client retries network errors and 5xx 5 times, 5 s apart and growing (75 s in all): an operator
    // waiting on a mistyped directory URL should hear back sooner. 3 retries, 2 s apart and growing: 12 s.
    const defaults = acme.axios.defaults as unknown as { acmeSettings?: Record<string, number> };
    if (defaults.acmeSettings)
      Object.assign(defaults.acmeSettings, { retryMaxAttempts: 3, retryDefaultDelay: 2 });
    // axios waits forever by default; a CA that stops answering must fail the order, not hold the lock.
    acme.axios.defaults.timeout = 30_000;
    return acme;
  });
  return loading;
}
