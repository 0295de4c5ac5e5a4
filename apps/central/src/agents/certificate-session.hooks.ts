import { type CertificateCsr } from '../../../../libs/protocol/index.js';
import { type AgentSession } from './agent-session.js';

/**
 * How the local CA offers client certificates over open sessions (ADR 0031) without the agents domain
 * importing it: the local CA registers itself with `AgentSessions.useCertificateHooks` at start.
 */
export interface CertificateSessionHooks {
  /** `welcome` went out: the agent may be offered a certificate now. */
  onWelcomed(session: AgentSession): void;
  /** The agent answered an offer with a CSR. */
  onRequest(session: AgentSession, request: CertificateCsr): Promise<void>;
  onEnd(session: AgentSession): void;
}

/** Until the local CA registers: no offers, CSR frames ignored. */
export const NO_CERTIFICATE_HOOKS: CertificateSessionHooks = {
  onWelcomed: () => undefined,
  onRequest: () => Promise.resolve(),
  onEnd: () => undefined,
};
