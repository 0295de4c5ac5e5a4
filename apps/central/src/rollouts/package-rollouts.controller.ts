import { Body, Controller, Get, Post, Req } from '@nestjs/common';
import { ApiDoc } from '../common/api-doc.decorator.js';
import { parseBody } from '../common/parse-body.js';
import { type AuthenticatedRequest } from '../common/request-context.js';
import { createPackageRolloutSchema } from '../../../../libs/api/rollout-requests.js';
import { needsUpgradeSchema, rolloutDetailSchema } from '../../../../libs/api/rollouts.js';
import { PackageRolloutsService } from './package-rollouts.service.js';

/**
 * Agent upgrades (ADR 45): a rollout of an uploaded package. Admin only (no route policy entry: it
 * installs code on the fleet). Pause, resume, approve, cancel and retry go through /api/rollouts/:id.
 */
@Controller('agent-upgrades')
export class PackageRolloutsController {
  constructor(private readonly upgrades: PackageRolloutsService) {}

  /** Who `targets: {"needsUpgrade": true}` would take now: the count and the first ids (the UI's button). */
  @Get('needs-upgrade')
  @ApiDoc({ response: needsUpgradeSchema })
  needsUpgrade() {
    return this.upgrades.needsUpgrade();
  }

  @Post()
  @ApiDoc({ body: createPackageRolloutSchema, response: rolloutDetailSchema })
  create(@Body() body: unknown, @Req() req: AuthenticatedRequest) {
    return this.upgrades.create(
      parseBody(createPackageRolloutSchema, body),
      req.actor?.username ?? 'unknown',
    );
  }
}
