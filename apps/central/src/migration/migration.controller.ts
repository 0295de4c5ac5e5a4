import { Body, Controller, Delete, Get, HttpCode, Inject, Param, Post, Query, Req } from '@nestjs/common';
import { parseBody } from '../common/parse-body.js';
import { clientAddress, type AuthenticatedRequest } from '../common/request-context.js';
import {
  advanceRequestSchema,
  bulkExemptionRequestSchema,
  exemptionListSchema,
  exemptionRemovedSchema,
  exemptionRequestSchema,
  exemptionSchema,
  exemptionsQuerySchema,
  migrationStatusSchema,
  rollbackRequestSchema,
  statusQuerySchema,
  strandedExemptionResultSchema,
  strandedPageAnswerSchema,
  strandedPageSchema,
} from '../../../../libs/api/migration.js';
import { StrandedExemptions } from './stranded-exemptions.js';
import { type MigrationActor } from './migration-deps.js';
import { MigrationService } from './migration.service.js';
import { ApiDoc } from '../common/api-doc.decorator.js';

const actorOf = (req: AuthenticatedRequest): MigrationActor => ({
  name: req.actor?.username ?? 'unknown',
  address: clientAddress(req),
});

@Controller('migration')
export class MigrationController {
  constructor(
    @Inject(MigrationService) private readonly migration: MigrationService,
    private readonly strandedExemptions: StrandedExemptions,
  ) {}

  @Get()
  @ApiDoc({ query: statusQuerySchema, response: migrationStatusSchema })
  status(@Query() query: unknown) {
    return this.migration.status(parseBody(statusQuerySchema, query));
  }

  @Post('advance')
  @HttpCode(200)
  @ApiDoc({ body: advanceRequestSchema, response: migrationStatusSchema })
  advance(@Body() body: unknown, @Req() req: AuthenticatedRequest) {
    return this.migration.advance(parseBody(advanceRequestSchema, body), actorOf(req));
  }

  @Post('rollback')
  @HttpCode(200)
  @ApiDoc({ body: rollbackRequestSchema, response: migrationStatusSchema })
  rollback(@Body() body: unknown, @Req() req: AuthenticatedRequest) {
    return this.migration.rollback(parseBody(rollbackRequestSchema, body), actorOf(req));
  }

  /** Who secure_only would strand: counts by reason, then a page of those the filter matches (ADR 40). */
  @Get('stranded')
  @ApiDoc({ query: strandedPageSchema, response: strandedPageAnswerSchema })
  stranded(@Query() query: unknown) {
    return this.migration.strandedPage(parseBody(strandedPageSchema, query));
  }

  @Get('exemptions')
  @ApiDoc({ query: exemptionsQuerySchema, response: exemptionListSchema })
  exemptions(@Query() query: unknown) {
    return this.migration.exemptions.list(parseBody(exemptionsQuerySchema, query));
  }

  /** Exempts every stranded agent a filter matches in one step; `"dryRun": true` only counts them. */
  @Post('exemptions/bulk')
  @HttpCode(200)
  @ApiDoc({ body: bulkExemptionRequestSchema, response: strandedExemptionResultSchema })
  exemptStranded(@Body() body: unknown, @Req() req: AuthenticatedRequest) {
    return this.strandedExemptions.exempt(parseBody(bulkExemptionRequestSchema, body), actorOf(req));
  }

  @Post('exemptions')
  @ApiDoc({ body: exemptionRequestSchema, response: exemptionSchema })
  exempt(@Body() body: unknown, @Req() req: AuthenticatedRequest) {
    return this.migration.exemptions.add(parseBody(exemptionRequestSchema, body), actorOf(req));
  }

  @Delete('exemptions/:agentId')
  @ApiDoc({ response: exemptionRemovedSchema })
  unexempt(@Param('agentId') agentId: string, @Req() req: AuthenticatedRequest) {
    return this.migration.exemptions.remove(agentId, actorOf(req));
  }
}
