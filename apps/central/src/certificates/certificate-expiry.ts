import { Injectable, Logger, type OnApplicationBootstrap, type OnModuleDestroy } from '@nestjs/common';
import { AuditService } from '../audit/audit.service.js';
import { DomainError } from '../common/domain-error.js';
import { expiryThreshold, lifetimeDaysOf } from './certificate-report.js';
import { CertificatesService } from './certificates.service.js';
import { PeriodicTask } from '../common/periodic-task.js';

const CHECK_EVERY_MS = 60 * 60_000;
const ACTION = 'certificate expiry warning';

/**
 * Warns before the active server certificate expires (in its last third or 30 days, whichever is
 * shorter, then at 7 days: certificate-report.ts) and once it has:
 * a log line on the node that notices and one audit record per certificate and threshold for the
 * whole cluster. The API shows the same state in `expiryWarning`.
 */
@Injectable()
export class CertificateExpiry implements OnApplicationBootstrap, OnModuleDestroy {
  private readonly logger = new Logger('certificates');
  private task: PeriodicTask | undefined;

  constructor(
    private readonly certificates: CertificatesService,
    private readonly audit: AuditService,
  ) {}

  onApplicationBootstrap(): void {
    this.task = new PeriodicTask(CHECK_EVERY_MS, () => this.check()).start({ immediately: true });
  }

  async onModuleDestroy(): Promise<void> {
    await this.task?.stop();
  }

  async check(now = new Date()): Promise<string | undefined> {
    try {
      const report = await this.certificates.activeSummary(now).catch((error: unknown) => {
        // At the very first boot the check can run before the self-signed default exists.
        if (error instanceof DomainError && error.category === 'not_found') return undefined;
        throw error;
      });
      if (!report) return undefined;
      const threshold = expiryThreshold(report.daysLeft, lifetimeDaysOf(report));
      if (threshold === undefined) return undefined;
      const message =
        threshold === 0
          ? `the server certificate ${report.subject} expired on ${report.notAfter}: agents on wss will refuse it`
          : `the server certificate ${report.subject} expires in ${report.daysLeft} days (${report.notAfter}): renew or import a new one`;
      // One audit record per certificate and threshold for the whole cluster.
      const announced = await this.audit.recordOnce(
        ACTION,
        report.fingerprintSha256,
        { threshold, daysLeft: report.daysLeft, message },
        'threshold',
      );
      this.logger.warn(message);
      return announced ? message : undefined;
    } catch (error) {
      this.logger.error(`certificate expiry check: ${(error as Error).message}`);
      return undefined;
    }
  }
}
