import { Module } from '@nestjs/common';
import { CertificateRevocations } from './certificate-revocations.js';
import { LocalCaController } from './local-ca.controller.js';
import { LocalCaRepository } from './local-ca.repository.js';
import { LocalCaService } from './local-ca.service.js';

@Module({
  controllers: [LocalCaController],
  providers: [LocalCaRepository, LocalCaService, CertificateRevocations],
  exports: [LocalCaService, CertificateRevocations],
})
export class LocalCaModule {}
