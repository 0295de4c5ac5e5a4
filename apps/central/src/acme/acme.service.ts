import { Inject, Injectable } from '@nestjs/common';
import { DomainError, ErrorCode } from '../common/domain-error.js';
import { ACME_CONFIG, type AcmeConfig } from './acme.config.js';
import { AcmeOrderExecutor, type AcmeActor } from './acme-order.executor.js';
import { AcmeRenewalScheduler } from './acme-renewal.scheduler.js';
import { AcmeRepository, type AcmeOrderRow } from './acme.repository.js';
import { type AcmeOrderRequest } from './dto/acme-order.request.js';

const LISTED_ORDERS = 20;

/** An order as the API shows it: settings, progress, outcome; no keys. */
export interface AcmeOrderView {
  id: string;
  fqdn: string;
  directoryUrl: string;
  contact: string;
  renewDaysBefore: number;
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
        reason: 'requested',
        requestedBy: actor === 'system' ? 'system' : actor.username,
      }),
      actor,
    );
    if (started === 'busy' || started === 'skipped')
      throw new DomainError(
        ErrorCode.CONFLICT,
        'an ACME order or renewal is already running; follow it with GET /api/certificates/acme',
      );
    return this.view(started.order);
  }

  async order(id: string): Promise<AcmeOrderView> {
    const order = await this.repo.getOrder(id);
    if (!order) throw new DomainError(ErrorCode.NOT_FOUND, `no ACME order ${id}`);
    return this.view(order);
  }

  /** The renewal that applies to the active certificate (if it came from ACME) and the latest orders. */
  async status() {
    const plan = await this.renewal.plan();
    return {
      renewal: plan
        ? {
            fqdn: plan.order.fqdn,
            directoryUrl: plan.order.directoryUrl,
            contact: plan.order.contact,
            renewDaysBefore: plan.order.renewDaysBefore,
            certificateNotAfter: plan.notAfter,
            renewAt: plan.dueAt,
            checkEverySeconds: Math.round(this.config.renewCheckEveryMs / 1000),
          }
        : null,
      held: await this.held(),
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

  private view(o: AcmeOrderRow): AcmeOrderView {
    return {
      id: o.id,
      fqdn: o.fqdn,
      directoryUrl: o.directoryUrl,
      contact: o.contact,
      renewDaysBefore: o.renewDaysBefore,
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
