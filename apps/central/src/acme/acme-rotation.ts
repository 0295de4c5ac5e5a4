import { Injectable, Logger } from '@nestjs/common';
import { summarizeCertificate } from '../../../../libs/pki/index.js';
import { AuditService } from '../audit/audit.service.js';
import { CertificatesService } from '../certificates/certificates.service.js';
import { DomainError } from '../common/domain-error.js';
import { RotationService } from '../rotation/rotation.service.js';
import { type HeldForApprovalError } from './acme-hold.js';
import { AcmeRepository, type AcmeOrderRow } from './acme.repository.js';

/**
 * ACME certificates whose chain ends at an anchor known agents do not trust, with `newAnchor: rotate`
 * (ADR 32): staged as a certificate rotation that advances by itself (RotationAutopilot) instead of
 * being held. The order stays `rotating` until the rotation activated the certificate (then `valid`, so
 * its renewal is planned as ever) or was aborted (then `held`, waiting for approval as before).
 */
@Injectable()
export class AcmeRotationHandoff {
  private readonly logger = new Logger('acme');

  constructor(
    private readonly repo: AcmeRepository,
    private readonly rotations: RotationService,
    private readonly certificates: CertificatesService,
    private readonly audit: AuditService,
  ) {}

  /**
   * Stages the held certificate as an automatic rotation and marks the order `rotating`. Returns the
   * rotation's id, or the reason it could not be staged (the caller holds the order then).
   */
  async handOff(
    order: AcmeOrderRow,
    held: HeldForApprovalError,
  ): Promise<{ rotationId: string } | { refused: string }> {
    let rotationId: string;
    try {
      rotationId = await this.rotations.stageAutomatic(
        {
          chainPem: held.chainPem,
          keyPem: held.keyPem,
          reason: `ACME ${order.reason === 'renewal' ? 'renewal' : 'order'} for ${order.fqdn} chains to a new anchor (newAnchor: rotate)`,
          details: {
            acmeOrderId: order.id,
            directoryUrl: order.directoryUrl,
            strandedAgents: held.agents.length,
          },
          automatic: 'acme',
        },
        { name: 'system' },
      );
    } catch (error) {
      if (error instanceof DomainError) return { refused: error.message };
      throw error;
    }
    const summary = summarizeCertificate(held.chainPem);
    await this.repo.markRotating(order.id, {
      rotationId,
      chainPem: held.chainPem,
      keyEncrypted: this.certificates.sealServerKey(held.keyPem),
      fingerprintSha256: summary.fingerprintSha256,
      notAfter: new Date(summary.notAfter),
      reason: `${held.agents.length} known agent(s) do not trust its anchor yet: rotating it in by rotation ${rotationId}`,
    });
    return { rotationId };
  }

  /**
   * Follows the rotations of `rotating` orders: activated or completed → the order is valid; aborted (or
   * gone) → held for approval. Cheap when nothing rotates (one query). Returns how many still rotate.
   */
  async reconcile(): Promise<number> {
    let open = 0;
    for (const order of await this.repo.findRotating()) {
      const rotation = order.rotationId ? await this.rotations.phaseOf(order.rotationId) : undefined;
      if (rotation?.phase === 'activated' || rotation?.phase === 'completed') {
        await this.repo.markValid(order.id, {
          fingerprintSha256: order.certificateFingerprintSha256!,
          notAfter: order.certificateNotAfter!,
        });
        this.logger.log(
          `the certificate of ACME order ${order.id} for ${order.fqdn} was rotated in and is served`,
        );
        await this.audit.record(
          'system',
          order.reason === 'renewal' ? 'acme.renew' : 'acme.order',
          'success',
          order.fqdn,
          {
            orderId: order.id,
            rotationId: order.rotationId,
            fingerprintSha256: order.certificateFingerprintSha256,
            rotated: true,
          },
        );
      } else if (!rotation || rotation.phase === 'aborted') {
        const reason =
          `the automatic rotation ${order.rotationId ?? '(gone)'} was aborted` +
          `${rotation?.reason ? ` (${rotation.reason})` : ''}: the certificate waits for approval`;
        await this.repo.rotationAborted(order.id, reason);
        this.logger.warn(`ACME order ${order.id} for ${order.fqdn}: ${reason}`);
      } else open++;
    }
    return open;
  }
}
