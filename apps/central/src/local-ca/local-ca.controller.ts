import { Controller, Get, Header, HttpCode, Param, Post } from '@nestjs/common';
import { parseBody } from '../common/parse-body.js';
import { CertificateRevocations } from './certificate-revocations.js';
import { LocalCaService } from './local-ca.service.js';
import { ApiDoc } from '../common/api-doc.decorator.js';
import { agentIdParamSchema as agentId, certificateRevocationSchema } from '../../../../libs/api/local-ca.js';

@Controller()
export class LocalCaController {
  constructor(
    private readonly localCa: LocalCaService,
    private readonly revocations: CertificateRevocations,
  ) {}

  /** The local CA certificate, for truststores (its key never leaves central). */
  @Get('certificates/ca')
  @Header('Content-Type', 'application/x-pem-file')
  @Header('Content-Disposition', 'attachment; filename="switchyard-local-ca.pem"')
  @ApiDoc({ produces: 'application/x-pem-file' })
  ca() {
    return this.localCa.caCertificatePem();
  }

  @Post('agents/:id/revoke-certificate')
  @HttpCode(200)
  @ApiDoc({ response: certificateRevocationSchema })
  revoke(@Param('id') id: string) {
    return this.revocations.revokeAgent(parseBody(agentId, id));
  }
}
