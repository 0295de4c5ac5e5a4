import { Body, Controller, Get, HttpCode, Param, Post, Put, Req } from '@nestjs/common';
import { z } from 'zod';
import { parseBody } from '../common/parse-body.js';
import { clientAddress, type AuthenticatedRequest } from '../common/request-context.js';
import { AcmeService } from './acme.service.js';
import { acmeOrderRequestSchema, acmeRenewalSettingsSchema } from '../../../../libs/api/acme-requests.js';
import { ApiDoc } from '../common/api-doc.decorator.js';
import { acmeApprovalSchema, acmeOrderSchema, acmeStatusSchema } from '../../../../libs/api/acme.js';

const orderId = z.uuid('must be an ACME order id');

@Controller('certificates/acme')
export class AcmeController {
  constructor(private readonly acme: AcmeService) {}

  /** 202: the order runs in the background (validation by the CA takes seconds). */
  @Post()
  @HttpCode(202)
  @ApiDoc({ body: acmeOrderRequestSchema, response: acmeOrderSchema })
  request(@Body() body: unknown, @Req() req: AuthenticatedRequest) {
    return this.acme.request(parseBody(acmeOrderRequestSchema, body), {
      username: req.actor?.username ?? 'unknown',
      address: clientAddress(req),
    });
  }

  /** Installs a held ACME certificate (one that would strand agents), as the operator's decision. */
  @Post('renewal/approve')
  @HttpCode(200)
  @ApiDoc({ response: acmeApprovalSchema })
  approve(@Req() req: AuthenticatedRequest) {
    return this.acme.approveHeld({ username: req.actor?.username ?? 'unknown', address: clientAddress(req) });
  }

  /** The renewal's settings: `newAnchor` rotate (automatic rotation, ADR 32) or hold (approval). */
  @Put('renewal')
  @HttpCode(200)
  @ApiDoc({ body: acmeRenewalSettingsSchema, response: acmeStatusSchema })
  updateRenewal(@Body() body: unknown, @Req() req: AuthenticatedRequest) {
    return this.acme.updateRenewal(parseBody(acmeRenewalSettingsSchema, body), {
      username: req.actor?.username ?? 'unknown',
      address: clientAddress(req),
    });
  }

  @Get()
  @ApiDoc({ response: acmeStatusSchema })
  status() {
    return this.acme.status();
  }

  @Get('orders/:id')
  @ApiDoc({ response: acmeOrderSchema })
  order(@Param('id') id: string) {
    return this.acme.order(parseBody(orderId, id));
  }
}
