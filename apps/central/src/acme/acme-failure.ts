import { NotAnAcmeDirectoryError } from './acme-directory.check.js';
import { IssuedChainError } from './issued-chain.check.js';

/** A problem document the CA attached to a failed http-01 challenge (RFC 8555 §6.7). */
export class ChallengeFailedError extends Error {
  constructor(
    readonly fqdn: string,
    readonly token: string,
    readonly problem: { type?: string; detail?: string },
  ) {
    super(problem.detail ?? problem.type ?? 'the challenge failed');
    this.name = 'ChallengeFailedError';
  }
}

export class OrderTimeoutError extends Error {
  constructor(seconds: number, step: string) {
    super(`the order did not finish within ${seconds} s (it was ${step})`);
    this.name = 'OrderTimeoutError';
  }
}

/** What an operator reads (message) and what the CA or the network actually said (detail). */
export interface AcmeFailure {
  message: string;
  detail: string;
}

const NETWORK_REASONS: Array<[RegExp, string]> = [
  [/connection refused|ECONNREFUSED/i, 'connection refused'],
  [/no such host|NXDOMAIN|ENOTFOUND|DNS problem|resolv/i, 'the name does not resolve (DNS)'],
  [/timeout|timed out|ETIMEDOUT/i, 'timed out'],
  [/connection reset|ECONNRESET/i, 'the connection was reset'],
  [/no route to host|EHOSTUNREACH|network is unreachable|ENETUNREACH/i, 'no route to the host'],
];

const TLS_CODES = new Set([
  'SELF_SIGNED_CERT_IN_CHAIN',
  'DEPTH_ZERO_SELF_SIGNED_CERT',
  'UNABLE_TO_VERIFY_LEAF_SIGNATURE',
  'UNABLE_TO_GET_ISSUER_CERT_LOCALLY',
  'CERT_HAS_EXPIRED',
  'ERR_TLS_CERT_ALTNAME_INVALID',
]);

/**
 * Turns what acme-client, axios or the CA threw into one sentence an operator can act on. `step` is
 * what central was doing ("reading the ACME directory", ...).
 */
export function describeAcmeFailure(error: unknown, step: string, directoryUrl: string): AcmeFailure {
  const raw = error instanceof Error ? error.message : String(error);
  if (error instanceof ChallengeFailedError) return describeChallenge(error);
  if (
    error instanceof IssuedChainError ||
    error instanceof OrderTimeoutError ||
    error instanceof NotAnAcmeDirectoryError
  )
    return { message: error.message, detail: raw };
  const code = (error as { code?: string }).code;
  const httpStatus = (error as { response?: { status?: number } }).response?.status;
  if (code && TLS_CODES.has(code)) {
    return {
      message:
        `the HTTPS certificate of the ACME server ${new URL(directoryUrl).host} is not trusted (${code}); ` +
        'for a private or test CA such as pebble, pass its CA certificate as directoryCaPem or set SWITCHYARD_ACME_CA_FILE',
      detail: raw,
    };
  }
  const network = networkReason(`${code ?? ''} ${raw}`);
  if (code && network) {
    return { message: `cannot reach the ACME server ${new URL(directoryUrl).host}: ${network}`, detail: raw };
  }
  if (httpStatus)
    return { message: `the ACME server answered HTTP ${httpStatus} while ${step}`, detail: raw };
  // acme-client loses a network error after its retries and fails on the missing response instead.
  if (error instanceof TypeError && /reading 'config'/.test(raw)) {
    return {
      message: `the connection to the ACME server ${new URL(directoryUrl).host} failed while ${step}`,
      detail: raw,
    };
  }
  // acme-client throws the CA's problem detail as the message of a plain Error.
  return { message: `the ACME server refused while ${step}: ${raw}`, detail: raw };
}

function describeChallenge(error: ChallengeFailedError): AcmeFailure {
  const detail = error.problem.detail ?? error.problem.type ?? '';
  const url =
    detail.match(/https?:\/\/[^\s"]+\/\.well-known\/acme-challenge\/[A-Za-z0-9_-]+/)?.[0] ??
    `http://${error.fqdn}/.well-known/acme-challenge/${error.token}`;
  const type = error.problem.type ?? '';
  const network = networkReason(detail);
  if (network && !type.endsWith(':unauthorized')) {
    return {
      message:
        `the ACME server could not reach ${url}: ${network} ` +
        `(that address must lead to central's admin HTTP listener; public CAs always use port 80)`,
      detail,
    };
  }
  return {
    message: `the ACME server reached ${url} but did not get this order's answer: ${detail || type}`,
    detail,
  };
}

function networkReason(text: string): string | undefined {
  return NETWORK_REASONS.find(([pattern]) => pattern.test(text))?.[1];
}
