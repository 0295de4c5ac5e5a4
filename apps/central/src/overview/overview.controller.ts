import { Controller, Get } from '@nestjs/common';
import { ApiDoc } from '../common/api-doc.decorator.js';
import { OverviewService } from './overview.service.js';

@Controller('overview')
export class OverviewController {
  constructor(private readonly overview: OverviewService) {}

  @Get()
  @ApiDoc({ summary: 'The fleet at a glance: agents, revisions, migration, certificate, rollouts, failures' })
  get() {
    return this.overview.overview();
  }
}
