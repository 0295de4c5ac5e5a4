import { Body, Controller, Delete, Get, Param, Post, Put, Query, Req } from '@nestjs/common';
import { parseBody } from '../common/parse-body.js';
import { type AuthenticatedRequest } from '../common/request-context.js';
import { AgentsService } from './agents.service.js';
import { ApiDoc } from '../common/api-doc.decorator.js';
import { Roles } from '../auth/roles.decorator.js';
import {
  agentGroupsRequestSchema,
  agentListQuerySchema,
  agentListSchema,
  agentSchema,
  enrollmentTokenIdSchema,
  enrollmentTokenListSchema,
  enrollmentTokenRequestSchema,
  newEnrollmentTokenSchema,
  reEnrollRequestSchema,
} from '../../../../libs/api/agents.js';
import { revokedSchema } from '../../../../libs/api/wire.js';

@Controller('agents')
export class AgentsController {
  constructor(private readonly agents: AgentsService) {}

  @Get()
  @ApiDoc({ query: agentListQuerySchema, response: agentListSchema })
  list(@Query() query: unknown) {
    return this.agents.list(parseBody(agentListQuerySchema, query));
  }

  @Post('enrollment-tokens')
  @ApiDoc({ body: enrollmentTokenRequestSchema, response: newEnrollmentTokenSchema })
  createToken(@Body() body: unknown, @Req() req: AuthenticatedRequest) {
    return this.agents.createEnrollmentToken(
      parseBody(enrollmentTokenRequestSchema, body),
      req.actor?.username ?? 'unknown',
    );
  }

  @Get('enrollment-tokens')
  @ApiDoc({ response: enrollmentTokenListSchema })
  tokens() {
    return this.agents.listEnrollmentTokens();
  }

  @Delete('enrollment-tokens/:id')
  @ApiDoc({ response: revokedSchema })
  revokeToken(@Param('id') id: string) {
    return this.agents.revokeEnrollmentToken(parseBody(enrollmentTokenIdSchema, id));
  }

  @Get(':id')
  @ApiDoc({ response: agentSchema })
  get(@Param('id') id: string) {
    return this.agents.get(id);
  }

  @Put(':id/groups')
  @ApiDoc({ body: agentGroupsRequestSchema, response: agentSchema })
  setGroups(@Param('id') id: string, @Body() body: unknown) {
    return this.agents.setGroups(id, parseBody(agentGroupsRequestSchema, body).groups);
  }

  /** Admins only: the token takes over the agent's identity, and admits a revoked agent again. */
  @Post(':id/re-enroll')
  @Roles('admin')
  @ApiDoc({ body: reEnrollRequestSchema, response: newEnrollmentTokenSchema })
  reEnroll(@Param('id') id: string, @Body() body: unknown, @Req() req: AuthenticatedRequest) {
    return this.agents.createReEnrollToken(
      id,
      parseBody(reEnrollRequestSchema, body),
      req.actor?.username ?? 'unknown',
    );
  }

  @Delete(':id')
  @ApiDoc({ response: revokedSchema })
  revoke(@Param('id') id: string) {
    return this.agents.revoke(id);
  }
}
