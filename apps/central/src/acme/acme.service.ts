import { Inject, Injectable } from '@nestjs/common';
import { DomainError } from '../common/domain-error.js';
import { ACME_CONFIG, type AcmeConfig } from './acme.config.js';
import { AcmeOrderExecutor, type AcmeActor } from './acme-order.executor.js';
import { AcmeRenewalScheduler } from './acme-renewal.scheduler.js';
import { AcmeRepository, type AcmeOrderRow } from './acme.repository.js';
import { type AcmeOrderRequest, type AcmeRenewalSettings } from '../../../../libs/api/acme-requests.js';
import { AcmeRotationHandoff } from './acme-rotation.js';
import { AuditService } from '../audit/audit.service.js';

const LISTED_ORDERS = 20;

/** An order as the API shows it: settings, progress, outcome; no keys. */
export interface AcmeOrderView {
  id: string;
  fqdn: string;
  directoryUrl: string;
  contact: string;
  renewDaysBefore: number;
  newAnchor: AcmeOrderRow['newAnchor'];
  /** The automatic rotation that rotates (or rotated) the certificate in (ADR 32). */
  rotationId: string | null;
  customDirectoryTrust: boolean;
  reason: AcmeOrderRow['reason'];
  requestedBy: string;
  status: AcmeOrderRow['status'];
  progress: string;
  error: string | null;
  errorDetail: string | null;
  certificate: { fingerprintSha256: string; notAfter: Date | null } | null;
  createdAt: Date;
  finishedAt: Date | null;
}

@Injectable()
export class AcmeService {
  constructor(
    private readonly repo: AcmeRepository,
    private readonly executor: AcmeOrderExecutor,
    private readonly renewal: AcmeRenewalScheduler,
    @Inject(ACME_CONFIG) private readonly config: AcmeConfig,
    private readonly handoff: AcmeRotationHandoff,
    private readonly audit: AuditService,
  ) {}

  /** Starts an order in the background; the caller follows it with GET /api/certificates/acme/orders/:id. */
  async request(body: AcmeOrderRequest, actor: AcmeActor): Promise<AcmeOrderView> {
    const started = await this.executor.start(
      async () => ({
        fqdn: body.fqdn,
        directoryUrl: body.directoryUrl,
        directoryCaPem: body.directoryCaPem ?? null,
        contact: body.contact,
        renewDaysBefore: body.renewDaysBefore,
        newAnchor: body.newAnchor,
        reason: 'requested',
        requestedBy: actor === 'system' ? 'system' : actor.username,
      }),
      actor,
    );
    if (started === 'busy' || started === 'skipped')
      throw new DomainError(
        'acme_order_running',
        'an ACME order or renewal is already running; follow it with GET /api/certificates/acme',
      );
    return this.view(started.order);
  }

  async order(id: string): Promise<AcmeOrderView> {
    const order = await this.repo.getOrder(id);
    if (!order) throw new DomainError('acme_order_not_found', `no ACME order ${id}`);
    return this.view(order);
  }

  /** The renewal that applies to the active certificate (if it came from ACME) and the latest orders. */
  async status() {
    // Shows a certificate the automatic rotation activated as valid at once, not at the next check.
    await this.handoff.reconcile();
    const plan = await this.renewal.plan();
    return {
      renewal: plan
        ? {
            fqdn: plan.order.fqdn,
            directoryUrl: plan.order.directoryUrl,
            contact: plan.order.contact,
            renewDaysBefore: plan.order.renewDaysBefore,
            newAnchor: plan.order.newAnchor,
            certificateNotAfter: plan.notAfter,
            renewAt: plan.dueAt,
            checkEverySeconds: Math.round(this.config.renewCheckEveryMs / 1000),
          }
        : null,
      held: await this.held(),
      rotating: (await this.repo.findRotating()).map((o) => ({
        orderId: o.id,
        fqdn: o.fqdn,
        rotationId: o.rotationId,
        message: o.error,
      })),
      orders: (await this.repo.listOrders(LISTED_ORDERS)).map((o) => this.view(o)),
    };
  }

  /** The certificate an ACME order obtained but that waits for approval (it would strand agents). */
  private async held() {
    const held = await this.repo.findHeld();
    if (!held) return null;
    return {
      orderId: held.id,
      fqdn: held.fqdn,
      reason: held.reason,
      message: held.error,
      since: held.finishedAt,
      approve: 'POST /api/certificates/acme/renewal/approve',
    };
  }

  /** Installs the held certificate past the agents it strands (they were named when it was held). */
  async approveHeld(actor: AcmeActor) {
    const approved = await this.executor.approveHeld(actor);
    return { order: await this.order(approved.orderId), strandedAgents: approved.identity.forcedPast ?? [] };
  }

  /**
   * Changes the settings of the renewal of the active certificate (those of the order that produced
   * it; its renewals inherit them). 404 when the active certificate did not come from ACME.
   */
  async updateRenewal(settings: AcmeRenewalSettings, actor: AcmeActor) {
    const plan = await this.renewal.plan();
    if (!plan)
      throw new DomainError(
        'acme_renewal_not_applicable',
        'the active server certificate did not come from an ACME order: there is no renewal to configure',
      );
    await this.repo.setNewAnchor(plan.order.id, settings.newAnchor);
    await this.audit.record(actor, 'acme.settings', 'success', plan.order.fqdn, {
      orderId: plan.order.id,
      newAnchor: { from: plan.order.newAnchor, to: settings.newAnchor },
    });
    return this.status();
  }

  private view(o: AcmeOrderRow): AcmeOrderView {
    return {
      id: o.id,
      fqdn: o.fqdn,
      directoryUrl: o.directoryUrl,
      contact: o.contact,
      renewDaysBefore: o.renewDaysBefore,
      newAnchor: o.newAnchor,
      rotationId: o.rotationId,
      customDirectoryTrust: o.directoryCaPem !== null,
      reason: o.reason,
      requestedBy: o.requestedBy,
      status: o.status,
      progress: o.progress,
      error: o.error,
      errorDetail: o.errorDetail,
      certificate: o.certificateFingerprintSha256
        ? { fingerprintSha256: o.certificateFingerprintSha256, notAfter: o.certificateNotAfter }
        : null,
      createdAt: o.createdAt,
      finishedAt: o.finishedAt,
    };
  }
}
