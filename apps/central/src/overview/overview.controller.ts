import { Controller, Get } from '@nestjs/common';
import { ApiDoc } from '../common/api-doc.decorator.js';
import { OverviewService } from './overview.service.js';
import { fleetOverviewSchema } from '../../../../libs/api/overview.js';

@Controller('overview')
export class OverviewController {
  constructor(private readonly overview: OverviewService) {}

  @Get()
  @ApiDoc({
    summary: 'The fleet at a glance: agents, revisions, migration, certificate, rollouts, failures',
    response: fleetOverviewSchema,
  })
  get() {
    return this.overview.overview();
  }
}
