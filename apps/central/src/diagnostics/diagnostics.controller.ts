import { Body, Controller, Get, Param, Post, Query, Req, StreamableFile } from '@nestjs/common';
import { z } from 'zod';
import { AGENT_ID_PATTERN, GROUP_NAME_PATTERN } from '../../../../libs/protocol/index.js';
import { ApiDoc } from '../common/api-doc.decorator.js';
import { parseBody } from '../common/parse-body.js';
import { type AuthenticatedRequest } from '../common/request-context.js';
import { DiagnosticsService, MAX_AGENTS_PER_REQUEST } from './diagnostics.service.js';

const agentId = z.string().regex(AGENT_ID_PATTERN, 'must be an agent id (1-128 of A-Z a-z 0-9 . _ -)');

const requestSchema = z
  .strictObject({
    agentIds: z
      .array(agentId)
      .min(1, 'name at least one agent')
      .max(MAX_AGENTS_PER_REQUEST)
      .transform((ids) => [...new Set(ids)])
      .optional(),
    /** Every agent of this group (set by an admin or reported), instead of `agentIds`. */
    group: z.string().regex(GROUP_NAME_PATTERN, 'must be 1-64 characters of A-Z a-z 0-9 . _ -').optional(),
    /** A request whose bundle has not arrived by then is marked failed. */
    timeoutSeconds: z.number().int().min(5).max(600).default(120),
  })
  .refine((b) => (b.agentIds === undefined) !== (b.group === undefined), {
    message: 'give either agentIds or group',
    path: ['agentIds'],
  });

const listSchema = z.strictObject({
  agentId: agentId.optional(),
  limit: z.coerce.number().int().min(1).max(1000).default(100),
});

const idParam = z.uuid('must be a diagnostics request id (a UUID)');

/** Diagnostics bundles of agents (ADR 44): operators and admins only, reads included (logs, settings). */
@Controller('diagnostics')
export class DiagnosticsController {
  constructor(private readonly diagnostics: DiagnosticsService) {}

  @Post()
  @ApiDoc({ summary: 'Ask online agents for a diagnostics bundle', body: requestSchema })
  request(@Body() body: unknown, @Req() req: AuthenticatedRequest) {
    return this.diagnostics.request(parseBody(requestSchema, body), {
      userId: req.actor?.userId,
      username: req.actor?.username ?? 'unknown',
      address: req.actor?.address ?? 'unknown',
    });
  }

  @Get()
  @ApiDoc({ summary: 'Diagnostics requests and their state, newest first', query: listSchema })
  list(@Query() query: unknown) {
    return this.diagnostics.list(parseBody(listSchema, query));
  }

  @Get(':id')
  get(@Param('id') id: string) {
    return this.diagnostics.get(parseBody(idParam, id));
  }

  @Get(':id/download')
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
