import { type CertificateOffer } from '../../../../libs/protocol/index.js';
import { type CertificateStanding } from './local-ca.repository.js';

/** Agents are offered a new certificate in their certificate's last 30 days (as agents renew at the upgrade). */
export const RENEWAL_WINDOW_MS = 30 * 86_400_000;

/**
 * Whether a connected agent is offered a certificate over its session, and why (ADR 0031): when it was
 * never issued one, or when its newest one ends within the renewal window. A revoked newest certificate
 * gets no offer: after a revocation a new certificate needs an enrollment token (ADR 0008).
 */
export function offerReason(
  standing: CertificateStanding,
  now: Date,
): CertificateOffer['reason'] | undefined {
  const newest = standing.newest;
  if (!newest) return 'first-certificate';
  if (newest.revoked) return undefined;
  return newest.notAfter.getTime() - now.getTime() <= RENEWAL_WINDOW_MS ? 'renewal' : undefined;
}
