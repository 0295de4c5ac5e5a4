import { Module } from '@nestjs/common';
import { CertificatesModule } from '../certificates/certificates.module.js';
import { RotationModule } from '../rotation/rotation.module.js';
import { AcmeRotationHandoff } from './acme-rotation.js';
import { ACME_CONFIG, loadAcmeConfig } from './acme.config.js';
import { AcmeAccounts } from './acme-accounts.js';
import { AcmeChallengeController } from './acme-challenge.controller.js';
import { AcmeClock } from './acme-clock.js';
import { AcmeOrderExecutor } from './acme-order.executor.js';
import { AcmeOrderRunner } from './acme-order.runner.js';
import { AcmeRenewalScheduler } from './acme-renewal.scheduler.js';
import { AcmeController } from './acme.controller.js';
import { AcmeRepository } from './acme.repository.js';
import { AcmeService } from './acme.service.js';

/** Server certificates from an ACME CA (http-01), renewed before they expire (ADR 10, docs/certificates.md). */
@Module({
  imports: [CertificatesModule, RotationModule],
  controllers: [AcmeController, AcmeChallengeController],
  providers: [
    { provide: ACME_CONFIG, useFactory: () => loadAcmeConfig() },
    AcmeRepository,
    AcmeClock,
    AcmeAccounts,
    AcmeOrderRunner,
    AcmeRotationHandoff,
    AcmeOrderExecutor,
    AcmeRenewalScheduler,
    AcmeService,
  ],
})
export class AcmeModule {}
