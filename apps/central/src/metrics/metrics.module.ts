import { Module } from '@nestjs/common';
import { CertificatesModule } from '../certificates/certificates.module.js';
import { ListenersModule } from '../listeners/listeners.module.js';
import { MigrationModule } from '../migration/migration.module.js';
import { RolloutsModule } from '../rollouts/rollouts.module.js';
import { MetricsController } from './metrics.controller.js';
import { MetricsRegistry } from './metrics.registry.js';

@Module({
  imports: [CertificatesModule, ListenersModule, RolloutsModule, MigrationModule],
  controllers: [MetricsController],
  providers: [MetricsRegistry],
})
export class MetricsModule {}
