import { createClientCsr, type ClientCsr } from '../../../libs/pki/index.js';
import { type ClientCertificate, type ClientCertificateStore } from './client-certificate-store.js';
import { type Logger } from './logger.js';

/** A certificate this close to its end is renewed: the agent sends a new CSR at its next connection. */
export const RENEW_CERTIFICATE_BEFORE_MS = 30 * 86_400_000;

/**
 * The agent's client certificate for mutual TLS (ADR 8): which one to present, when to ask for a new
 * one, storing what central issued and setting a revoked one aside. Nothing here is fatal: without a
 * certificate the agent goes on with its credential.
 */
export class ClientIdentity {
  constructor(
    private readonly store: ClientCertificateStore,
    private readonly logger: Logger,
    private readonly now: () => Date,
  ) {}

  /** The stored certificate, if it names this agent and is still valid; otherwise none is presented. */
  usable(agentId: string): ClientCertificate | undefined {
    let stored: ClientCertificate | undefined;
    try {
      stored = this.store.read();
    } catch (error) {
      this.logger.warn(`cannot read the client certificate in state/: ${(error as Error).message}`);
      return undefined;
    }
    if (!stored) return undefined;
    if (stored.agentId !== agentId) {
      this.logger.warn(
        `the client certificate in state/ is for ${stored.agentId ?? 'no agent'}, not ${agentId}`,
      );
      return undefined;
    }
    return stored.notAfter.getTime() > this.now().getTime() ? stored : undefined;
  }

  /** A fresh key and CSR when the agent has no certificate or its certificate is about to expire. */
  async csrIfNeeded(
    agentId: string,
    certificate: ClientCertificate | undefined,
  ): Promise<ClientCsr | undefined> {
    if (certificate && certificate.notAfter.getTime() - this.now().getTime() > RENEW_CERTIFICATE_BEFORE_MS)
      return undefined;
    return this.newCsr(agentId);
  }

  /** A fresh key and CSR, whatever the agent holds (central offered a certificate over the session). */
  async newCsr(agentId: string): Promise<ClientCsr | undefined> {
    try {
      return await createClientCsr(agentId);
    } catch (error) {
      this.logger.warn(`cannot create a certificate request: ${(error as Error).message}`);
      return undefined;
    }
  }

  /** Keeps what central issued for a CSR (sent at the upgrade or over the session). */
  keep(keyPem: string, chainPem: string): void {
    try {
      const stored = this.store.write(keyPem, chainPem);
      this.logger.info(
        `client certificate stored in state/client.crt (valid until ${stored.notAfter.toISOString()}); presented on wss from the next connection`,
      );
    } catch (error) {
      this.logger.warn(`cannot store the client certificate: ${(error as Error).message}`);
    }
  }

  /** Central revoked it (close 4401): set it aside so the next connection asks for a new one. */
  retire(): void {
    try {
      this.store.retire();
    } catch (error) {
      this.logger.warn(`cannot move the revoked client certificate aside: ${(error as Error).message}`);
    }
  }
}
