import { Body, Controller, Get, Param, Post, Query, Req, StreamableFile } from '@nestjs/common';
import { ApiDoc } from '../common/api-doc.decorator.js';
import { parseBody } from '../common/parse-body.js';
import { type AuthenticatedRequest } from '../common/request-context.js';
import { DiagnosticsService } from './diagnostics.service.js';
import {
  diagnosticBundleListSchema,
  diagnosticBundleSchema,
  diagnosticsIdSchema as idParam,
  diagnosticsListQuerySchema as listSchema,
  diagnosticsRequestAnswerSchema,
  diagnosticsRequestSchema as requestSchema,
} from '../../../../libs/api/diagnostics.js';

/** Diagnostics bundles of agents (ADR 44): operators and admins only, reads included (logs, settings). */
@Controller('diagnostics')
export class DiagnosticsController {
  constructor(private readonly diagnostics: DiagnosticsService) {}

  @Post()
  @ApiDoc({
    summary: 'Ask online agents for a diagnostics bundle',
    body: requestSchema,
    response: diagnosticsRequestAnswerSchema,
  })
  request(@Body() body: unknown, @Req() req: AuthenticatedRequest) {
    return this.diagnostics.request(parseBody(requestSchema, body), {
      userId: req.actor?.userId,
      username: req.actor?.username ?? 'unknown',
      address: req.actor?.address ?? 'unknown',
    });
  }

  @Get()
  @ApiDoc({
    summary: 'Diagnostics requests and their state, newest first',
    query: listSchema,
    response: diagnosticBundleListSchema,
  })
  list(@Query() query: unknown) {
    return this.diagnostics.list(parseBody(listSchema, query));
  }

  @Get(':id')
  @ApiDoc({ response: diagnosticBundleSchema })
  get(@Param('id') id: string) {
    return this.diagnostics.get(parseBody(idParam, id));
  }

  @Get(':id/download')
  @ApiDoc({ produces: 'application/zip' })
  async download(@Param('id') id: string): Promise<StreamableFile> {
    const { bundle, content } = await this.diagnostics.download(parseBody(idParam, id));
    const at = (bundle.receivedAt ?? bundle.requestedAt).toISOString().replace(/[-:]/g, '').slice(0, 15);
    return new StreamableFile(content, {
      type: 'application/zip',
      length: content.length,
      // Agent ids are restricted to A-Z a-z 0-9 . _ -, so the name needs no escaping here.
      disposition: `attachment; filename="diagnostics-${bundle.agentId}-${at}Z.zip"`,
    });
  }
}
