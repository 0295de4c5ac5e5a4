import { Module } from '@nestjs/common';
import { CertificateDropFolder } from './certificate-drop-folder.js';
import { CertificateExpiry } from './certificate-expiry.js';
import { CertificatesController } from './certificates.controller.js';
import { CertificatesRepository } from './certificates.repository.js';
import { CertificatesService } from './certificates.service.js';

@Module({
  controllers: [CertificatesController],
  providers: [CertificatesRepository, CertificatesService, CertificateDropFolder, CertificateExpiry],
  exports: [CertificatesService],
})
export class CertificatesModule {}
