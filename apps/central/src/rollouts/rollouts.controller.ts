import { Body, Controller, Get, HttpCode, Param, Post, Query, Req } from '@nestjs/common';
import { parseBody } from '../common/parse-body.js';
import { type AuthenticatedRequest } from '../common/request-context.js';
import {
  createRolloutSchema,
  listRolloutsSchema,
  rolloutAgentsPageSchema,
  rolloutIdSchema,
} from '../../../../libs/api/rollout-requests.js';
import {
  rolloutDetailSchema,
  rolloutListSchema,
  rolloutPreviewSchema,
} from '../../../../libs/api/rollouts.js';
import { RolloutsService, type RolloutAction } from './rollouts.service.js';
import { ApiDoc } from '../common/api-doc.decorator.js';
import { requestAudit } from '../audit/request-audit.context.js';
import { RolloutPlanner } from './rollout-plan.js';

@Controller('rollouts')
export class RolloutsController {
  constructor(
    private readonly rollouts: RolloutsService,
    private readonly planner: RolloutPlanner,
  ) {}

  @Post()
  @ApiDoc({ body: createRolloutSchema, response: rolloutDetailSchema })
  create(@Body() body: unknown, @Req() req: AuthenticatedRequest) {
    return this.rollouts.create(parseBody(createRolloutSchema, body), req.actor?.username ?? 'unknown');
  }

  /** The targets and each wave's size for a create body, before anything starts (ADR 41). */
  @Post('preview')
  @HttpCode(200)
  @ApiDoc({
    body: createRolloutSchema,
    response: rolloutPreviewSchema,
    summary: 'Preview a rollout: targets and waves, nothing written',
  })
  preview(@Body() body: unknown) {
    // A preview changes nothing: it leaves no audit line (the rollout it leads to does).
    const audit = requestAudit.getStore();
    if (audit) audit.recorded = true;
    return this.planner.preview(parseBody(createRolloutSchema, body));
  }

  @Get()
  @ApiDoc({ query: listRolloutsSchema, response: rolloutListSchema })
  list(@Query() query: unknown) {
    const { limit, offset } = parseBody(listRolloutsSchema, query);
    return this.rollouts.list(limit, offset);
  }

  @Get(':id')
  @ApiDoc({ query: rolloutAgentsPageSchema, response: rolloutDetailSchema })
  get(@Param('id') id: string, @Query() query: unknown) {
    const { limit, offset, state } = parseBody(rolloutAgentsPageSchema, query);
    return this.rollouts.get(parseBody(rolloutIdSchema, id), { limit, offset, states: state });
  }

  @Post(':id/pause')
  @HttpCode(200)
  @ApiDoc({ response: rolloutDetailSchema })
  pause(@Param('id') id: string) {
    return this.act(id, 'pause');
  }

  @Post(':id/resume')
  @HttpCode(200)
  @ApiDoc({ response: rolloutDetailSchema })
  resume(@Param('id') id: string) {
    return this.act(id, 'resume');
  }

  @Post(':id/approve')
  @HttpCode(200)
  @ApiDoc({ response: rolloutDetailSchema })
  approve(@Param('id') id: string) {
    return this.act(id, 'approve');
  }

  @Post(':id/cancel')
  @HttpCode(200)
  @ApiDoc({ response: rolloutDetailSchema })
  cancel(@Param('id') id: string) {
    return this.act(id, 'cancel');
  }

  @Post(':id/retry-failed')
  @HttpCode(200)
  @ApiDoc({ response: rolloutDetailSchema })
  retryFailed(@Param('id') id: string) {
    return this.act(id, 'retry-failed');
  }

  private act(id: string, action: RolloutAction) {
    return this.rollouts.act(parseBody(rolloutIdSchema, id), action);
  }
}
