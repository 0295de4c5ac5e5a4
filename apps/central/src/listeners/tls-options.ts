import { type SecureContextOptions, type TlsOptions } from 'node:tls';

/**
 * Mozilla "intermediate" cipher suites for TLS 1.2 (TLS 1.3 suites are all acceptable and on by default).
 * Source: ssl-config.mozilla.org, intermediate profile, version 5.7.
 */
export const MOZILLA_INTERMEDIATE_CIPHERS = [
  'ECDHE-ECDSA-AES128-GCM-SHA256',
  'ECDHE-RSA-AES128-GCM-SHA256',
  'ECDHE-ECDSA-AES256-GCM-SHA384',
  'ECDHE-RSA-AES256-GCM-SHA384',
  'ECDHE-ECDSA-CHACHA20-POLY1305',
  'ECDHE-RSA-CHACHA20-POLY1305',
  'DHE-RSA-AES128-GCM-SHA256',
  'DHE-RSA-AES256-GCM-SHA384',
  'DHE-RSA-CHACHA20-POLY1305',
].join(':');

/** How agents' client certificates are asked for; `caPem` is the local CA, the only one trusted for them. */
export interface ClientAuthOptions {
  mode: 'none' | 'optional' | 'required';
  caPem: string | undefined;
}

export function secureContextOptions(
  identity: { chainPem: string; keyPem: string },
  minVersion: 'TLSv1.2' | 'TLSv1.3',
  clientCaPem?: string,
): SecureContextOptions {
  return {
    cert: identity.chainPem,
    key: identity.keyPem,
    minVersion,
    ciphers: MOZILLA_INTERMEDIATE_CIPHERS,
    ecdhCurve: 'X25519:prime256v1:secp384r1',
    honorCipherOrder: false,
    ...(clientCaPem ? { ca: clientCaPem } : {}),
  };
}

/**
 * requestCert asks for a client certificate only when mutual TLS is on. rejectUnauthorized stays off:
 * Node then verifies the chain but leaves the decision to the listener, which also checks revocation
 * and logs and audits each refusal (Node would drop the socket silently).
 */
export function tlsServerOptions(
  identity: { chainPem: string; keyPem: string },
  minVersion: 'TLSv1.2' | 'TLSv1.3',
  clientAuth: ClientAuthOptions = { mode: 'none', caPem: undefined },
): TlsOptions {
  return {
    ...secureContextOptions(identity, minVersion, clientAuth.caPem),
    requestCert: clientAuth.mode !== 'none',
    rejectUnauthorized: false,
  };
}
