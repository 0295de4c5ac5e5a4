import { CloseCode } from '../../../libs/protocol/index.js';

/** OpenSSL verification codes meaning "the chain does not lead to a CA in the truststore". */
const UNTRUSTED_CODES = new Set([
  'UNABLE_TO_VERIFY_LEAF_SIGNATURE',
  'UNABLE_TO_GET_ISSUER_CERT',
  'UNABLE_TO_GET_ISSUER_CERT_LOCALLY',
  'DEPTH_ZERO_SELF_SIGNED_CERT',
  'SELF_SIGNED_CERT_IN_CHAIN',
  'CERT_SIGNATURE_FAILURE',
  'CERT_UNTRUSTED',
  'CERT_REJECTED',
  'INVALID_CA',
  'PATH_LENGTH_EXCEEDED',
  'INVALID_PURPOSE',
]);

const VALIDITY_CODES = new Set(['CERT_HAS_EXPIRED', 'CERT_NOT_YET_VALID', 'CERT_REVOKED']);

/** True when a connect error says the agent's truststore does not accept central's certificate. */
export function isCertificateError(error: Error & { code?: string }): boolean {
  const code = error.code;
  return (
    code !== undefined &&
    (UNTRUSTED_CODES.has(code) || VALIDITY_CODES.has(code) || code === 'ERR_TLS_CERT_ALTNAME_INVALID')
  );
}

/** Plain words for a failure to open a connection to `endpoint` (host:port), for the log and status.json. */
export function describeConnectError(
  error: Error & { code?: string; reason?: string },
  endpoint: string,
): string {
  const code = error.code;
  const host = endpoint.replace(/:\d+$/, '');
  if (code !== undefined) {
    if (UNTRUSTED_CODES.has(code))
      return `certificate not trusted: ${withoutSystemCaHint(error.message)} (${code})`;
    if (VALIDITY_CODES.has(code)) return `certificate not valid: ${error.message} (${code})`;
    switch (code) {
      case 'ERR_TLS_CERT_ALTNAME_INVALID':
        return `certificate does not match ${host}: ${error.reason ?? error.message} (${code})`;
      case 'ECONNREFUSED':
        return `connection refused by ${endpoint}`;
      case 'ECONNRESET':
        return `connection reset by ${endpoint}`;
      case 'ENOTFOUND':
      case 'EAI_AGAIN':
        return `cannot resolve ${host} (${code})`;
      case 'ETIMEDOUT':
      case 'EHOSTUNREACH':
      case 'ENETUNREACH':
        return `cannot reach ${endpoint} (${code})`;
      case 'EPROTO':
        return `TLS handshake with ${endpoint} failed: ${tlsReason(error.message)}`;
    }
    if (code.startsWith('ERR_SSL_') || code.startsWith('ERR_TLS_')) {
      return `TLS handshake with ${endpoint} failed: ${tlsReason(error.message)} (${code})`;
    }
  }
  if (error.message === 'Opening handshake has timed out') return `no answer from ${endpoint} in time`;
  return `connection to ${endpoint} failed: ${error.message}${code ? ` (${code})` : ''}`;
}

/**
 * Node 24 appends "; if the root CA is installed locally, try running Node.js with --use-system-ca" to
 * verification errors. The agent trusts only its truststore, on purpose: the hint would send an
 * operator the wrong way.
 */
function withoutSystemCaHint(message: string): string {
  return message.replace(
    /; if the root CA is installed locally, try running Node\.js with --use-system-ca$/,
    '',
  );
}

/** OpenSSL messages look like "…:SSL routines:ssl3_get_record:wrong version number:…": keep the words. */
function tlsReason(message: string): string {
  const match = /SSL routines:[^:]*:([^:]+)/.exec(message);
  const reason = match ? match[1] : message;
  return reason === 'wrong version number' ? 'wrong version number (is this port plain ws://?)' : reason;
}

const CLOSE_CODE_NAMES: Record<number, string> = {
  [CloseCode.NORMAL]: 'normal closure',
  [CloseCode.GOING_AWAY]: 'going away',
  1006: 'no close frame',
  [CloseCode.INVALID_PAYLOAD]: 'invalid payload',
  [CloseCode.POLICY_VIOLATION]: 'policy violation',
  [CloseCode.MESSAGE_TOO_BIG]: 'message too big',
  1011: 'server error',
  [CloseCode.AGENT_REVOKED]: 'agent revoked',
  [CloseCode.CERTIFICATE_REVOKED]: 'client certificate revoked',
  [CloseCode.HEARTBEAT_TIMEOUT]: 'missed heartbeats',
  [CloseCode.REPLACED]: 'replaced by another session of this agent',
};

/** "1001 going away: central restarting" */
export function describeCloseCode(code: number, reason: string): string {
  const name = CLOSE_CODE_NAMES[code];
  const words = [String(code), name].filter(Boolean).join(' ');
  return reason ? `${words}: ${reason}` : words;
}
