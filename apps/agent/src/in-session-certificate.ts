import { type CertificateIssued, type CertificateOffer } from '../../../libs/protocol/index.js';
import { type CentralConnection } from './central-connection.js';
import { type ClientIdentity } from './client-identity.js';
import { type Logger } from './logger.js';

/**
 * The agent's side of a certificate offered over the session (ADR 0031): answers `certificate.offer`
 * with a CSR from a fresh key kept in memory, and stores key and chain when `certificate.issued` names
 * the same offer. The certificate is presented from the next wss connection; this one goes on.
 */
export class InSessionCertificate {
  /** Only the latest offer counts: a newer one replaces the key of an older, unanswered one. */
  private pending: { offerId: string; keyPem: string } | undefined;

  constructor(
    private readonly identity: ClientIdentity,
    private readonly logger: Logger,
  ) {}

  async handle(
    frame: CertificateOffer | CertificateIssued,
    agentId: string,
    connection: Pick<CentralConnection, 'sendFrame'>,
  ): Promise<void> {
    if (frame.type === 'certificate.offer') {
      const csr = await this.identity.newCsr(agentId);
      if (!csr) return;
      this.pending = { offerId: frame.offerId, keyPem: csr.keyPem };
      this.logger.info(
        `central offers a client certificate (${frame.reason}); sending a certificate request`,
      );
      if (!connection.sendFrame({ type: 'certificate.csr', offerId: frame.offerId, csrPem: csr.csrPem }))
        this.pending = undefined;
      return;
    }
    if (this.pending?.offerId !== frame.offerId) {
      this.logger.warn(`ignoring a certificate for offer ${frame.offerId}, which this agent did not answer`);
      return;
    }
    const { keyPem } = this.pending;
    this.pending = undefined;
    this.identity.keep(keyPem, frame.certificateChainPem);
  }
}
