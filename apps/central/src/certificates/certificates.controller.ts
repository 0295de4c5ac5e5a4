import { Controller, Get, Header } from '@nestjs/common';
import { CertificatesService } from './certificates.service.js';

@Controller('certificates')
export class CertificatesController {
  constructor(private readonly certificates: CertificatesService) {}

  @Get('server')
  server() {
    return this.certificates.activeSummary();
  }

  @Get('server/chain')
  @Header('Content-Type', 'application/x-pem-file')
  @Header('Content-Disposition', 'attachment; filename="switchyard-server-chain.pem"')
  chain() {
    return this.certificates.activeChainPem();
  }
}
