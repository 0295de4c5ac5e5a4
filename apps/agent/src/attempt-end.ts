import { CloseCode } from '../../../libs/protocol/index.js';
import type { ConnectionEnd } from './central-connection.js';
import { TrustError } from './trust.js';
import { RepeatedTrustError } from './truststore-watch.js';

/** What central answers (403) to a connection that presents a revoked client certificate (ADR 31). */
const REVOKED_CERTIFICATE_REASON = 'client certificate revoked';

/** How a connection attempt ended; `truststoreError` when the truststore could not be used at all. */
export type AttemptEnd = ConnectionEnd & { truststoreError?: 'first' | 'repeated' };

/**
 * What an ended attempt means for the agent: stop (`fatal`, `revoked`), set the client certificate aside
 * and reconnect (central revoked it, in the session or at the upgrade), or just reconnect.
 */
export type AttemptVerdict = 'fatal' | 'revoked' | 'certificate-revoked' | 'certificate-refused' | 'retry';

/** What the agent logs (as an error) for each verdict but `retry`. */
export function verdictLine(verdict: Exclude<AttemptVerdict, 'retry'>, end: AttemptEnd): string {
  switch (verdict) {
    case 'fatal':
      return `${end.description}; stopping`;
    case 'revoked':
      return 'central revoked this agent; to admit it again an admin issues a re-enroll token (POST /api/agents/:id/re-enroll)';
    case 'certificate-revoked':
      // The credential still applies: reconnect without the certificate (central decides if that is enough).
      return "central revoked this agent's client certificate; it is set aside";
    case 'certificate-refused':
      return "central refused this agent's client certificate as revoked (HTTP 403); it is set aside, reconnecting without it";
  }
}

export function verdictOf(end: AttemptEnd): AttemptVerdict {
  if (end.fatal) return 'fatal';
  if (end.closeCode === CloseCode.AGENT_REVOKED) return 'revoked';
  if (end.closeCode === CloseCode.CERTIFICATE_REVOKED) return 'certificate-revoked';
  // Refused at the upgrade for the certificate it presented (ADR 31): presenting it again can only be
  // refused again; without it the credential decides (`optional`).
  if (end.httpStatus === 403 && end.refusalReason === REVOKED_CERTIFICATE_REASON)
    return 'certificate-refused';
  return 'retry';
}

/** An attempt that ended before any socket: the connection target could not be made (e.g. the truststore). */
export function targetFailure(error: unknown): AttemptEnd {
  return {
    welcome: undefined,
    closeCode: undefined,
    httpStatus: undefined,
    description: (error as Error).message,
    fatal: undefined,
    trustFailure: error instanceof TrustError,
    ...(error instanceof TrustError
      ? { truststoreError: error instanceof RepeatedTrustError ? 'repeated' : 'first' }
      : {}),
  };
}

/** An unusable truststore is told once (with its fix), not at every attempt while it stays so. */
export function retryLogLevel(end: AttemptEnd): 'debug' | 'error' | 'warn' {
  if (end.truststoreError === 'repeated') return 'debug';
  return end.truststoreError === 'first' ? 'error' : 'warn';
}

export function seconds(ms: number): string {
  return `${(ms / 1000).toFixed(1)} s`;
}
