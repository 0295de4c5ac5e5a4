import { Module } from '@nestjs/common';
import { AgentsModule } from '../agents/agents.module.js';
import { AgentTrustRepository } from '../agents/agent-trust.repository.js';
import { TrustAnchorsRecorder } from '../agents/trust-anchors.recorder.js';
import { loadMigrationConfig } from '../migration/migration.config.js';
import { CertificateGuard } from './certificate-guard.js';
import { CertificateDropFolder } from './certificate-drop-folder.js';
import { CertificateExpiry } from './certificate-expiry.js';
import { CertificatesController } from './certificates.controller.js';
import { CertificatesRepository } from './certificates.repository.js';
import { CertificatesService } from './certificates.service.js';

@Module({
  imports: [AgentsModule],
  controllers: [CertificatesController],
  providers: [
    CertificatesRepository,
    CertificatesService,
    CertificateDropFolder,
    CertificateExpiry,
    {
      // Known agents are those online or seen within the migration's observation window (ADR 24).
      provide: CertificateGuard,
      inject: [AgentTrustRepository, TrustAnchorsRecorder],
      useFactory: (agents: AgentTrustRepository, recorder: TrustAnchorsRecorder) =>
        new CertificateGuard(agents, loadMigrationConfig().minWindowHours, () => recorder.flush()),
    },
  ],
  exports: [CertificatesService, CertificateGuard],
})
export class CertificatesModule {}
