import { Module } from '@nestjs/common';
import { DataSource } from 'typeorm';
import { AgentCountsRepository } from '../agents/agent-counts.repository.js';
import { CertificatesModule } from '../certificates/certificates.module.js';
import { MigrationModule } from '../migration/migration.module.js';
import { RolloutsOverviewRepository } from '../rollouts/rollouts-overview.repository.js';
import { OverviewController } from './overview.controller.js';
import { OverviewService } from './overview.service.js';
import { FleetRevisionsQuery } from './fleet-revisions.query.js';

/**
 * The overview page's API (issue 16 point 5, ADR 41). It owns no table: the counts come from read-only
 * repositories of the agents and rollouts domains (provided here, so those modules stay as they are), its
 * own report of revisions in use (fleet-revisions.query.ts, ADR 47), and the migration and certificates
 * services.
 */
@Module({
  imports: [CertificatesModule, MigrationModule],
  controllers: [OverviewController],
  providers: [
    AgentCountsRepository,
    RolloutsOverviewRepository,
    {
      provide: FleetRevisionsQuery,
      inject: [DataSource],
      useFactory: (db: DataSource) => new FleetRevisionsQuery(db),
    },
    OverviewService,
  ],
})
export class OverviewModule {}
