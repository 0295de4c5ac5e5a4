import { webcrypto } from 'node:crypto';
import type * as X509 from '@peculiar/x509';

export type X509Module = typeof X509;

/** The only key type central generates, issues for and signs with (ECDSA P-256: the cheapest TLS handshakes here). */
export const EC_P256 = { name: 'ECDSA', namedCurve: 'P-256', hash: 'SHA-256' } as const;

let loading: Promise<X509Module> | undefined;
let loaded: X509Module | undefined;

/**
 * @peculiar/x509, loaded at the first certificate that is made or read with it (a self-signed certificate
 * on a fresh install, the local CA, a CSR, an import) instead of at every start: with its ASN.1 schemas
 * and tsyringe it cost ~115 ms of each cold start, and a central on an existing data directory does not
 * need it to start. The only file that imports it for its values (eslint `no-restricted-imports`).
 */
export function loadX509(): Promise<X509Module> {
  loading ??= (async () => {
    await import('reflect-metadata'); // @peculiar/x509 resolves its services through tsyringe, which needs Reflect
    const x509 = await import('@peculiar/x509');
    x509.cryptoProvider.set(webcrypto as unknown as Parameters<typeof x509.cryptoProvider.set>[0]);
    loaded = x509;
    return x509;
  })();
  return loading;
}

/** The module once `loadX509()` has resolved, for synchronous checks of an import that awaited it first. */
export function loadedX509(): X509Module {
  if (!loaded)
    throw new Error('@peculiar/x509 is not loaded yet: await loadX509() before reading certificates with it');
  return loaded;
}
