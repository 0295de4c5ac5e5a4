import { Body, Controller, HttpCode, Post, Req } from '@nestjs/common';
import { z } from 'zod';
import { Roles } from '../auth/roles.decorator.js';
import { ApiDoc } from '../common/api-doc.decorator.js';
import { parseBody } from '../common/parse-body.js';
import { clientAddress, type AuthenticatedRequest } from '../common/request-context.js';
import { GROUP_NAME_PATTERN } from '../../../../libs/protocol/index.js';
import { bulkBodySchema, selectionOf } from './agent-filter.js';
import { BulkActionsService, MAX_ADMIN_GROUPS, type BulkAction } from './bulk-actions.service.js';

const exemptSchema = bulkBodySchema({
  reason: z.string().trim().min(1, 'say why (it is audited)').max(1000),
  expiresAt: z.iso.datetime({ offset: true }).transform((v) => new Date(v)),
});
const plainSchema = bulkBodySchema({});
const groupsSchema = bulkBodySchema({
  mode: z.enum(['set', 'add', 'remove']),
  groups: z
    .array(z.string().regex(GROUP_NAME_PATTERN, 'must be 1-64 characters of A-Z a-z 0-9 . _ -'))
    .max(MAX_ADMIN_GROUPS)
    .transform((groups) => [...new Set(groups)].sort()),
});
const retrySchema = bulkBodySchema({ rolloutId: z.uuid('must be a rollout id') });

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
  @ApiDoc({ summary: 'Exempt agents from the secure_only gate until a time', body: exemptSchema })
  exempt(@Body() body: unknown, @Req() req: AuthenticatedRequest) {
    const b = parseBody(exemptSchema, body);
    return this.run({ action: 'exempt', reason: b.reason, expiresAt: b.expiresAt }, b, req);
  }

  @Post('unexempt')
  @HttpCode(200)
  @ApiDoc({ summary: 'Remove the migration exemptions of agents', body: plainSchema })
  unexempt(@Body() body: unknown, @Req() req: AuthenticatedRequest) {
    return this.run({ action: 'unexempt' }, parseBody(plainSchema, body), req);
  }

  @Post('revoke')
  @HttpCode(200)
  @ApiDoc({ summary: 'Revoke agents (credential removed, sessions closed)', body: plainSchema })
  revoke(@Body() body: unknown, @Req() req: AuthenticatedRequest) {
    return this.run({ action: 'revoke' }, parseBody(plainSchema, body), req);
  }

  @Post('delete')
  @HttpCode(200)
  @Roles('admin')
  @ApiDoc({ summary: 'Delete agents that are not online, with their history', body: plainSchema })
  delete(@Body() body: unknown, @Req() req: AuthenticatedRequest) {
    return this.run({ action: 'delete' }, parseBody(plainSchema, body), req);
  }

  @Post('groups')
  @HttpCode(200)
  @ApiDoc({ summary: 'Set, add or remove admin groups of agents', body: groupsSchema })
  groups(@Body() body: unknown, @Req() req: AuthenticatedRequest) {
    const b = parseBody(groupsSchema, body);
    return this.run({ action: 'groups', mode: b.mode, groups: b.groups }, b, req);
  }

  @Post('retry')
  @HttpCode(200)
  @ApiDoc({ summary: 'Retry agents whose step failed or went stale in a rollout', body: retrySchema })
  retry(@Body() body: unknown, @Req() req: AuthenticatedRequest) {
    const b = parseBody(retrySchema, body);
    return this.run({ action: 'retry', rolloutId: b.rolloutId }, b, req);
  }

  private run(
    action: BulkAction,
    body: { ids?: string[]; filter?: Parameters<typeof selectionOf>[0]['filter']; dryRun: boolean },
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
