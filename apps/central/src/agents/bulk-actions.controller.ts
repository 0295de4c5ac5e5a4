import { Body, Controller, HttpCode, Post, Req } from '@nestjs/common';
import { Roles } from '../auth/roles.decorator.js';
import { ApiDoc } from '../common/api-doc.decorator.js';
import { parseBody } from '../common/parse-body.js';
import { clientAddress, type AuthenticatedRequest } from '../common/request-context.js';
import {
  bulkExemptRequestSchema as exemptSchema,
  bulkGroupsRequestSchema as groupsSchema,
  bulkRequestSchema as plainSchema,
  bulkResultSchema as response,
  bulkRetryRequestSchema as retrySchema,
  type AgentFilter,
} from '../../../../libs/api/agent-bulk.js';
import { selectionOf } from './agent-filter.js';
import { BulkActionsService, type BulkAction } from './bulk-actions.service.js';

/**
 * Bulk actions on agents named by id or matched by a filter (ADR 40). Each answers matched / changed /
 * skipped (with reasons); `"dryRun": true` answers the same counts and changes nothing. Roles as the
 * single-agent actions: operators (route policy for /api/agents); deleting rows takes an admin, as
 * re-enrolling does.
 */
@Controller('agents/bulk')
export class BulkActionsController {
  constructor(private readonly bulk: BulkActionsService) {}

  @Post('exempt')
  @HttpCode(200)
  @ApiDoc({ summary: 'Exempt agents from the secure_only gate until a time', body: exemptSchema, response })
  exempt(@Body() body: unknown, @Req() req: AuthenticatedRequest) {
    const b = parseBody(exemptSchema, body);
    return this.run({ action: 'exempt', reason: b.reason, expiresAt: b.expiresAt }, b, req);
  }

  @Post('unexempt')
  @HttpCode(200)
  @ApiDoc({ summary: 'Remove the migration exemptions of agents', body: plainSchema, response })
  unexempt(@Body() body: unknown, @Req() req: AuthenticatedRequest) {
    return this.run({ action: 'unexempt' }, parseBody(plainSchema, body), req);
  }

  @Post('revoke')
  @HttpCode(200)
  @ApiDoc({ summary: 'Revoke agents (credential removed, sessions closed)', body: plainSchema, response })
  revoke(@Body() body: unknown, @Req() req: AuthenticatedRequest) {
    return this.run({ action: 'revoke' }, parseBody(plainSchema, body), req);
  }

  @Post('delete')
  @HttpCode(200)
  @Roles('admin')
  @ApiDoc({ summary: 'Delete agents that are not online, with their history', body: plainSchema, response })
  delete(@Body() body: unknown, @Req() req: AuthenticatedRequest) {
    return this.run({ action: 'delete' }, parseBody(plainSchema, body), req);
  }

  @Post('groups')
  @HttpCode(200)
  @ApiDoc({ summary: 'Set, add or remove admin groups of agents', body: groupsSchema, response })
  groups(@Body() body: unknown, @Req() req: AuthenticatedRequest) {
    const b = parseBody(groupsSchema, body);
    return this.run({ action: 'groups', mode: b.mode, groups: b.groups }, b, req);
  }

  @Post('retry')
  @HttpCode(200)
  @ApiDoc({
    summary: 'Retry agents whose step failed or went stale in a rollout',
    body: retrySchema,
    response,
  })
  retry(@Body() body: unknown, @Req() req: AuthenticatedRequest) {
    const b = parseBody(retrySchema, body);
    return this.run({ action: 'retry', rolloutId: b.rolloutId }, b, req);
  }

  private run(
    action: BulkAction,
    body: { ids?: string[]; filter?: AgentFilter; dryRun: boolean },
    req: AuthenticatedRequest,
  ) {
    return this.bulk.run(
      action,
      selectionOf(body),
      { dryRun: body.dryRun },
      { username: req.actor?.username ?? 'unknown', address: clientAddress(req) },
    );
  }
}
