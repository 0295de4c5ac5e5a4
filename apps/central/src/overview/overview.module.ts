import { Module } from '@nestjs/common';
import { DataSource } from 'typeorm';
import { AgentCountsRepository } from '../agents/agent-counts.repository.js';
import { CertificatesModule } from '../certificates/certificates.module.js';
import { MigrationModule } from '../migration/migration.module.js';
import { DesiredProfilesRepository } from '../rollouts/desired-profiles.repository.js';
import { RolloutsOverviewRepository } from '../rollouts/rollouts-overview.repository.js';
import { OverviewController } from './overview.controller.js';
import { OverviewService } from './overview.service.js';

/**
 * The overview page's API (issue 16 point 5, ADR 41). It owns no table: the counts come from read-only
 * repositories of the agents and rollouts domains (provided here, so those modules stay as they are) and
 * from the migration and certificates services.
 */
@Module({
  imports: [CertificatesModule, MigrationModule],
  controllers: [OverviewController],
  providers: [
    AgentCountsRepository,
    RolloutsOverviewRepository,
    {
      provide: DesiredProfilesRepository,
      inject: [DataSource],
      useFactory: (db: DataSource) => new DesiredProfilesRepository(db),
    },
    OverviewService,
  ],
})
export class OverviewModule {}
