import { type TLSSocket } from 'node:tls';
import { agentIdOfCertificate, normalizeSerial } from '../../../../libs/pki/index.js';

export type ClientAuthMode = 'none' | 'optional' | 'required';

/** What the TLS handshake proved about the agent on the other end. */
export type ClientCertificateVerdict =
  | { kind: 'absent' }
  | { kind: 'valid'; agentId: string; serial: string }
  | { kind: 'refused'; reason: string; agentId: string | undefined; serial: string | undefined };

/** OpenSSL verification codes, in words an operator reads in the log and the audit. */
const REASONS: Record<string, string> = {
  CERT_HAS_EXPIRED: 'client certificate expired',
  CERT_NOT_YET_VALID: 'client certificate not yet valid',
  UNABLE_TO_VERIFY_LEAF_SIGNATURE: 'client certificate not issued by the local CA',
  UNABLE_TO_GET_ISSUER_CERT: 'client certificate not issued by the local CA',
  UNABLE_TO_GET_ISSUER_CERT_LOCALLY: 'client certificate not issued by the local CA',
  DEPTH_ZERO_SELF_SIGNED_CERT: 'client certificate is self-signed, not issued by the local CA',
  SELF_SIGNED_CERT_IN_CHAIN: 'client certificate not issued by the local CA',
  CERT_SIGNATURE_FAILURE: 'client certificate signature is invalid',
  INVALID_PURPOSE: 'certificate is not for client authentication',
};

/** An OpenSSL verification code (socket.authorizationError) in an operator's words. */
export function describeVerifyError(code: string): string {
  return `${REASONS[code] ?? 'client certificate not accepted'} (${code})`;
}

/** What OpenSSL says when a client sent no certificate to a listener that requires one. */
export const NO_CERTIFICATE_REASON = 'no client certificate (mutual TLS is required)';

/**
 * Checks the client certificate of a finished TLS handshake. Node verified the chain against the local
 * CA (dates, signature, clientAuth purpose) but, with rejectUnauthorized off, left the decision to us:
 * here it is taken, including revocation, which OpenSSL does not know about.
 */
export function checkClientCertificate(
  socket: TLSSocket,
  mode: ClientAuthMode,
  isRevoked: (serial: string) => boolean,
): ClientCertificateVerdict {
  if (mode === 'none') return { kind: 'absent' };
  const peer = socket.getPeerX509Certificate();
  if (!peer) {
    return mode === 'required'
      ? {
          kind: 'refused',
          reason: NO_CERTIFICATE_REASON,
          agentId: undefined,
          serial: undefined,
        }
      : { kind: 'absent' };
  }
  const agentId = agentIdOfCertificate(peer);
  const serial = normalizeSerial(peer.serialNumber);
  const refuse = (reason: string): ClientCertificateVerdict => ({ kind: 'refused', reason, agentId, serial });
  if (!socket.authorized) {
    return refuse(describeVerifyError(String(socket.authorizationError ?? 'UNSPECIFIED')));
  }
  if (isRevoked(serial)) return refuse('client certificate revoked');
  if (!agentId) return refuse('client certificate names no agent');
  return { kind: 'valid', agentId, serial };
}
