import { type StrandedAgent } from '../certificates/stranded-agents.js';

/**
 * The CA issued a certificate, but known agents would not trust its chain (the certificate guard
 * refused it, ADR 24): the order is held with the certificate until an operator approves it.
 */
export class HeldForApprovalError extends Error {
  override readonly name = 'HeldForApprovalError';

  constructor(
    message: string,
    readonly chainPem: string,
    readonly keyPem: string,
    readonly agents: StrandedAgent[],
  ) {
    super(message);
  }
}
