import { Module } from '@nestjs/common';
import { AgentsModule } from '../agents/agents.module.js';
import { CertificateRevocations } from './certificate-revocations.js';
import { InSessionCertificates } from './in-session-certificates.js';
import { LocalCaController } from './local-ca.controller.js';
import { LocalCaRepository } from './local-ca.repository.js';
import { LocalCaService } from './local-ca.service.js';

@Module({
  imports: [AgentsModule],
  controllers: [LocalCaController],
  providers: [LocalCaRepository, LocalCaService, CertificateRevocations, InSessionCertificates],
  exports: [LocalCaService, CertificateRevocations, InSessionCertificates],
})
export class LocalCaModule {}
