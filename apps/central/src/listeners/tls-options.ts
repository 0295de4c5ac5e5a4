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

/** The session resumption options of the agent listener (tls-resumption.ts); absent: Node's defaults. */
export type ResumptionOptions = Pick<
  SecureContextOptions,
  'ticketKeys' | 'sessionIdContext' | 'sessionTimeout'
>;

export function secureContextOptions(
  identity: { chainPem: string; keyPem: string },
  minVersion: 'TLSv1.2' | 'TLSv1.3',
  clientCaPem?: string,
  resumption?: ResumptionOptions,
): SecureContextOptions {
  return {
    ...resumption,
    cert: identity.chainPem,
    key: identity.keyPem,
    minVersion,
    ciphers: MOZILLA_INTERMEDIATE_CIPHERS,
    ecdhCurve: 'X25519:prime256v1:secp384r1',
    honorCipherOrder: false,
    ...(clientCaPem ? { ca: clientCaPem } : {}),
  };
}

/** A TLS handshake not finished by then is dropped (an agent's takes milliseconds, a storm's < 1 s). */
export const HANDSHAKE_TIMEOUT_MS = 10_000;

/**
 * requestCert asks for a client certificate only when mutual TLS is on. rejectUnauthorized is on only
 * when it is required: OpenSSL then fails a handshake without a certificate with a TLS alert
 * (certificate_required on TLS 1.3, handshake_failure on 1.2) instead of completing it (ADR 0031).
 * Node's verify callback accepts every chain, so OpenSSL never sends an alert for a bad one: in both
 * modes the listener keeps such a socket (keep-refused-chains.ts) and its gate answers 403 with the
 * reason. Revocation and the agent's name are checked by the gate in both modes (403 with the reason).
 */
export function tlsServerOptions(
  identity: { chainPem: string; keyPem: string },
  minVersion: 'TLSv1.2' | 'TLSv1.3',
  clientAuth: ClientAuthOptions = { mode: 'none', caPem: undefined },
  resumption?: ResumptionOptions,
): TlsOptions {
  return {
    ...secureContextOptions(identity, minVersion, clientAuth.caPem, resumption),
    requestCert: clientAuth.mode !== 'none',
    rejectUnauthorized: clientAuth.mode === 'required',
    // Node waits 120 s by default: a client that connects and never finishes its handshake would hold one
    // of the few handshake places (handshake-shedding.ts) for two minutes.
    handshakeTimeout: HANDSHAKE_TIMEOUT_MS,
  };
}
