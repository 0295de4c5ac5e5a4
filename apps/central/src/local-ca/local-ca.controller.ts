import { Controller, Get, Header, HttpCode, Param, Post } from '@nestjs/common';
import { parseBody } from '../common/parse-body.js';
import { z } from 'zod';
import { AGENT_ID_PATTERN } from '../../../../libs/protocol/index.js';
import { CertificateRevocations } from './certificate-revocations.js';
import { LocalCaService } from './local-ca.service.js';

const agentId = z.string().regex(AGENT_ID_PATTERN, 'must be an agent id');

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
  ca() {
    return this.localCa.caCertificatePem();
  }

  @Post('agents/:id/revoke-certificate')
  @HttpCode(200)
  revoke(@Param('id') id: string) {
    return this.revocations.revokeAgent(parseBody(agentId, id));
  }
}
