import { Module } from '@nestjs/common';
import { DataSource } from 'typeorm';
import { AcmeRepository } from '../acme/acme.repository.js';
import { AgentCountsRepository } from '../agents/agent-counts.repository.js';
import { CertificatesModule } from '../certificates/certificates.module.js';
import { ListenersModule } from '../listeners/listeners.module.js';
import { MigrationModule } from '../migration/migration.module.js';
import { RolloutsModule } from '../rollouts/rollouts.module.js';
import { RotationRepository } from '../rotation/rotation.repository.js';
import { MetricsController } from './metrics.controller.js';
import { MetricsRegistry } from './metrics.registry.js';

@Module({
  imports: [CertificatesModule, ListenersModule, RolloutsModule, MigrationModule],
  controllers: [MetricsController],
  providers: [
    // The owners' narrow counts the fleet gauges read at scrape time (each table has one owner: ADR 47).
    AgentCountsRepository,
    AcmeRepository,
    {
      provide: RotationRepository,
      inject: [DataSource],
      useFactory: (db: DataSource) => new RotationRepository(db),
    },
    MetricsRegistry,
  ],
})
export class MetricsModule {}
