import type { IncomingMessage } from 'node:http';
import type { TLSSocket } from 'node:tls';
import type { Refusal } from './local-api-server.js';

/** OpenSSL's verify errors for a chain that does not lead to a CA we trust. */
const NOT_OUR_CA = new Set([
  'UNABLE_TO_GET_ISSUER_CERT',
  'UNABLE_TO_GET_ISSUER_CERT_LOCALLY',
  'UNABLE_TO_VERIFY_LEAF_SIGNATURE',
  'SELF_SIGNED_CERT_IN_CHAIN',
  'DEPTH_ZERO_SELF_SIGNED_CERT',
  'CERT_SIGNATURE_FAILURE',
]);

/**
 * Level 3 with client certificates (`https-client-certificate`): the TLS server asked for one and let
 * OpenSSL verify it against the CA (central's local CA unless agent.local.api.tls.ca says otherwise),
 * without refusing at the handshake; here the request is refused with the reason.
 */
export function clientCertificateRefusal(req: IncomingMessage, caName: string): Refusal | undefined {
  const socket = req.socket as TLSSocket;
  if (socket.authorized) return undefined;
  const peer = socket.getPeerCertificate();
  if (!peer || Object.keys(peer).length === 0) {
    return {
      status: 401,
      error: `a client certificate is required: this local API is at level https-client-certificate and accepts certificates issued by ${caName}`,
    };
  }
  const subject = peer.subject?.CN ? `"${peer.subject.CN}"` : 'the client certificate';
  const code = String((socket.authorizationError as Error | string | undefined) ?? 'unknown');
  let why: string;
  if (NOT_OUR_CA.has(code)) why = `was not issued by ${caName}`;
  else if (code === 'CERT_HAS_EXPIRED') why = `expired on ${new Date(peer.valid_to).toISOString()}`;
  else if (code === 'CERT_NOT_YET_VALID')
    why = `is not valid before ${new Date(peer.valid_from).toISOString()}`;
  else if (code === 'INVALID_PURPOSE') why = 'is not meant for client authentication (extended key usage)';
  else why = 'was not accepted';
  return { status: 403, error: `client certificate ${subject} ${why} (${code})` };
}
