import { Body, Controller, Delete, Get, Param, Post, Put, Query, Req } from '@nestjs/common';
import { z } from 'zod';
import { parseBody } from '../common/parse-body.js';
import { type AuthenticatedRequest } from '../common/request-context.js';
import { AgentsService } from './agents.service.js';
import { ApiDoc } from '../common/api-doc.decorator.js';
import { Roles } from '../auth/roles.decorator.js';
import { GROUP_NAME_PATTERN } from '../../../../libs/protocol/index.js';

const GROUP_PATTERN = GROUP_NAME_PATTERN;

const listSchema = z.strictObject({
  status: z.enum(['online', 'offline', 'disconnected', 'never_connected']).optional(),
  transport: z.enum(['plain', 'secure', 'secure+mtls']).optional(),
  /** Agents in this group, whether an admin set it or the agent reported it. */
  group: z.string().regex(GROUP_PATTERN, 'must be 1-64 characters of A-Z a-z 0-9 . _ -').optional(),
  limit: z.coerce.number().int().min(1).max(10_000).default(1000),
  offset: z.coerce.number().int().min(0).default(0),
});

const tokenSchema = z.strictObject({
  expiresInMinutes: z
    .number()
    .int()
    .min(1)
    .max(60 * 24 * 90)
    .default(60 * 24),
  maxUses: z.number().int().min(1).max(1_000_000).nullable().default(null),
  description: z.string().max(200).default(''),
  agentIdPrefix: z
    .string()
    .regex(/^[A-Za-z0-9._-]{1,64}$/, 'must be 1-64 characters of A-Z a-z 0-9 . _ - (the start of agent ids)')
    .optional(),
  group: z.string().regex(GROUP_PATTERN, 'must be 1-64 characters of A-Z a-z 0-9 . _ -').optional(),
});

const reEnrollSchema = z.strictObject({
  expiresInMinutes: z
    .number()
    .int()
    .min(1)
    .max(60 * 24)
    .default(60),
});

const uuid = z.uuid('must be a token id');

const groupsSchema = z.strictObject({
  groups: z
    .array(z.string().regex(GROUP_PATTERN, 'must be 1-64 characters of A-Z a-z 0-9 . _ -'))
    .max(32)
    .transform((groups) => [...new Set(groups)].sort()),
});

@Controller('agents')
export class AgentsController {
  constructor(private readonly agents: AgentsService) {}

  @Get()
  @ApiDoc({ query: listSchema })
  list(@Query() query: unknown) {
    return this.agents.list(parseBody(listSchema, query));
  }

  @Post('enrollment-tokens')
  @ApiDoc({ body: tokenSchema })
  createToken(@Body() body: unknown, @Req() req: AuthenticatedRequest) {
    return this.agents.createEnrollmentToken(parseBody(tokenSchema, body), req.actor?.username ?? 'unknown');
  }

  @Get('enrollment-tokens')
  tokens() {
    return this.agents.listEnrollmentTokens();
  }

  @Delete('enrollment-tokens/:id')
  revokeToken(@Param('id') id: string) {
    return this.agents.revokeEnrollmentToken(parseBody(uuid, id));
  }

  @Get(':id')
  get(@Param('id') id: string) {
    return this.agents.get(id);
  }

  @Put(':id/groups')
  @ApiDoc({ body: groupsSchema })
  setGroups(@Param('id') id: string, @Body() body: unknown) {
    return this.agents.setGroups(id, parseBody(groupsSchema, body).groups);
  }

  /** Admins only: the token takes over the agent's identity, and admits a revoked agent again. */
  @Post(':id/re-enroll')
  @Roles('admin')
  @ApiDoc({ body: reEnrollSchema })
  reEnroll(@Param('id') id: string, @Body() body: unknown, @Req() req: AuthenticatedRequest) {
    return this.agents.createReEnrollToken(
      id,
      parseBody(reEnrollSchema, body),
      req.actor?.username ?? 'unknown',
    );
  }

  @Delete(':id')
  revoke(@Param('id') id: string) {
    return this.agents.revoke(id);
  }
}
