import {
  Inject,
  Injectable,
  Logger,
  type OnApplicationBootstrap,
  type OnModuleDestroy,
} from '@nestjs/common';
import { CertificatesService } from '../certificates/certificates.service.js';
import { ACME_CONFIG, type AcmeConfig } from './acme.config.js';
import { AcmeClock } from './acme-clock.js';
import { AcmeOrderExecutor } from './acme-order.executor.js';
import { AcmeRotationHandoff } from './acme-rotation.js';
import { AcmeRepository, type AcmeOrderRow, type NewAcmeOrder } from './acme.repository.js';
import { renewalDueAt } from './renewal-policy.js';
import { PeriodicTask } from '../common/periodic-task.js';

export type RenewalCheck = 'not-acme' | 'not-due' | 'busy' | 'renewed' | 'failed' | 'held' | 'rotating';

/** What renewing the active certificate would take, when it is an ACME one. */
export interface RenewalPlan {
  order: AcmeOrderRow;
  notAfter: Date;
  dueAt: Date;
}

/**
 * Every node checks (hourly by default) whether the active ACME certificate is due, and renews it
 * with the settings of the order that produced it. The advisory lock lets one node do it; the others
 * see the new certificate when they look again. A failed renewal is retried at the next check.
 */
@Injectable()
export class AcmeRenewalScheduler implements OnApplicationBootstrap, OnModuleDestroy {
  private readonly logger = new Logger('acme');
  private task: PeriodicTask | undefined;
  private checking: Promise<RenewalCheck> | undefined;

  constructor(
    private readonly repo: AcmeRepository,
    private readonly certificates: CertificatesService,
    private readonly executor: AcmeOrderExecutor,
    private readonly clock: AcmeClock,
    @Inject(ACME_CONFIG) private readonly config: AcmeConfig,
    private readonly handoff: AcmeRotationHandoff,
  ) {}

  onApplicationBootstrap(): void {
    // A node that was down for a while may find the certificate already due: look once at start.
    this.task = new PeriodicTask(this.config.renewCheckEveryMs, () => this.checkNow()).start({
      immediately: true,
    });
  }

  async onModuleDestroy(): Promise<void> {
    await this.task?.stop();
    await this.checking;
  }

  /** One check; overlapping calls on this node share the one in progress. */
  checkNow(): Promise<RenewalCheck> {
    this.checking ??= this.check().finally(() => (this.checking = undefined));
    return this.checking;
  }

  /** The active certificate's renewal plan, or undefined when it did not come from an ACME order. */
  async plan(): Promise<RenewalPlan | undefined> {
    // Matched by fingerprint: an operator who imported or generated another certificate since has
    // taken the server identity out of ACME's hands, and it is not renewed behind their back.
    const active = (await this.certificates.activeIdentity())?.summary;
    if (!active) return undefined;
    const order = await this.repo.findOrderOfCertificate(active.fingerprintSha256);
    if (!order) return undefined;
    const notAfter = new Date(active.notAfter);
    return {
      order,
      notAfter,
      dueAt: renewalDueAt({ notBefore: new Date(active.notBefore), notAfter }, order.renewDaysBefore),
    };
  }

  private async check(): Promise<RenewalCheck> {
    try {
      // A certificate being rotated in (ADR 32) is followed first: activated → its order is the plan.
      if ((await this.handoff.reconcile()) > 0) return 'rotating';
      const first = await this.plan();
      if (!first) return 'not-acme';
      // A renewal that would strand agents waits for approval: ordering again would only hold again.
      if ((await this.repo.countHeld()) > 0) return 'held';
      if (this.clock.now() < first.dueAt) return 'not-due';
      // Looked at again under the lock: another node may have renewed in the meantime.
      const started = await this.executor.start(async () => {
        const plan = await this.plan();
        if (!plan || this.clock.now() < plan.dueAt) return undefined;
        this.logger.log(
          `the certificate for ${plan.order.fqdn} expires ${plan.notAfter.toISOString()} ` +
            `(renewal due since ${plan.dueAt.toISOString()}): renewing`,
        );
        return renewalOf(plan.order);
      }, 'system');
      if (started === 'busy') return 'busy';
      if (started === 'skipped') return 'not-due';
      return (await started.done) ? 'renewed' : 'failed';
    } catch (error) {
      this.logger.warn(`ACME renewal check failed: ${(error as Error).message}`);
      return 'failed';
    }
  }
}

function renewalOf(order: AcmeOrderRow): NewAcmeOrder {
  return {
    fqdn: order.fqdn,
    directoryUrl: order.directoryUrl,
    directoryCaPem: order.directoryCaPem,
    contact: order.contact,
    renewDaysBefore: order.renewDaysBefore,
    newAnchor: order.newAnchor,
    reason: 'renewal',
    requestedBy: 'system',
  };
}
