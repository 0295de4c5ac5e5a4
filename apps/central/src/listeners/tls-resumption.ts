import { createHash } from 'node:crypto';
import { type TLSSocket } from 'node:tls';
import { describeVerifyError, type ClientAuthMode } from '../local-ca/client-certificate.check.js';
import { type ResumptionOptions } from './tls-options.js';
import { TICKET_KEYS_ROTATION_SECONDS } from './tls-ticket-keys.js';

/** What a resumed session must have been made under: the same chain, client-CA, client-auth rule and TLS floor. */
export interface ResumptionBinding {
  chainPem: string;
  clientCaPem: string | undefined;
  clientAuth: ClientAuthMode;
  minVersion: 'TLSv1.2' | 'TLSv1.3';
}

/**
 * OpenSSL resumes a session only under the session id context it was made in. Node's default is a hash
 * of `process.argv`, which differs between hosts and install paths (no resumption across nodes) and
 * ignores what the listener serves. This one is the same on every node serving the same thing and
 * changes with the certificate chain, the client CA and the client-auth rule: a session made under other
 * rules is never resumed, whatever keys opened its ticket (a session from a time no certificate was asked
 * for carries none, and TLS 1.3 resumption asks for none). 32 hex characters: OpenSSL's maximum.
 */
export function sessionIdContext(binding: ResumptionBinding): string {
  return createHash('sha256')
    .update(
      JSON.stringify([
        binding.chainPem.trim(),
        binding.clientCaPem?.trim() ?? '',
        binding.clientAuth,
        binding.minVersion,
      ]),
    )
    .digest('hex')
    .slice(0, 32);
}

/**
 * The session resumption part of the secure listener's context (ADR 53), passed on every
 * `setSecureContext` too: without `ticketKeys` Node keeps the keys it was created with, and without
 * `sessionIdContext` it falls back to its argv hash. Tickets live as long as their keys at most (Node's
 * default, 300 s, would end them long before the next restart). Without `ticketKeys` (they could not be
 * loaded) the listener keeps Node's own random keys: sessions resume on this process only.
 */
export function resumptionOptions(
  ticketKeys: Buffer | undefined,
  binding: ResumptionBinding,
): ResumptionOptions {
  return {
    ...(ticketKeys ? { ticketKeys } : {}),
    sessionIdContext: sessionIdContext(binding),
    sessionTimeout: TICKET_KEYS_ROTATION_SECONDS,
  };
}

/**
 * A resumed session skips the chain verification: OpenSSL restores the client certificate and the
 * verification result of the handshake that made the session, up to TICKET_KEYS_ROTATION_SECONDS ago.
 * Revocation is checked at every connection anyway (client-certificate-gate.ts); the dates are checked
 * here, so a certificate that expired since is refused as at a full handshake. Undefined when fine.
 */
export function resumedCertificateOutOfDate(socket: TLSSocket, now = Date.now()): string | undefined {
  if (!socket.isSessionReused()) return undefined;
  const peer = socket.getPeerX509Certificate();
  if (!peer) return undefined;
  if (Date.parse(peer.validTo) < now) return describeVerifyError('CERT_HAS_EXPIRED');
  if (Date.parse(peer.validFrom) > now) return describeVerifyError('CERT_NOT_YET_VALID');
  return undefined;
}
