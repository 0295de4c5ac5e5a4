import { type DynamicModule, Module } from '@nestjs/common';
import { type DataSource } from 'typeorm';
import { AcmeModule } from './acme/acme.module.js';
import { ApiDocsModule } from './api-docs/api-docs.module.js';
import { AgentsModule } from './agents/agents.module.js';
import { AgentPackagesModule } from './agent-packages/agent-packages.module.js';
import { AuditModule } from './audit/audit.module.js';
import { AuthModule } from './auth/auth.module.js';
import { CertificatesModule } from './certificates/certificates.module.js';
import { ClusterModule } from './cluster/cluster.module.js';
import { type NodeIdentity } from './cluster/node-identity.js';
import { type CentralConfig } from './config/central-config.js';
import { CoreModule } from './core.module.js';
import { type SecretBox } from './crypto/secret-box.js';
import { DatabaseModule } from './database/database.module.js';
import { DiagnosticsModule } from './diagnostics/diagnostics.module.js';
import { HealthModule } from './health/health.module.js';
import { MetricsModule } from './metrics/metrics.module.js';
import { ListenersModule } from './listeners/listeners.module.js';
import { LocalCaModule } from './local-ca/local-ca.module.js';
import { ProfilesModule } from './profiles/profiles.module.js';
import { RolloutsModule } from './rollouts/rollouts.module.js';
import { MigrationModule } from './migration/migration.module.js';
import { OverviewModule } from './overview/overview.module.js';
import { RotationModule } from './rotation/rotation.module.js';
import { SettingsModule } from './settings/settings.module.js';
import { LiveModule } from './live/live.module.js';
import { UiModule } from './ui/ui.module.js';

@Module({})
export class AppModule {
  static create(deps: {
    config: CentralConfig;
    secrets: SecretBox;
    dataSource: DataSource;
    databaseUrl: string;
    node: NodeIdentity;
  }): DynamicModule {
    return {
      module: AppModule,
      imports: [
        CoreModule.with(deps.config, deps.secrets),
        DatabaseModule.forDataSource(deps.dataSource, deps.databaseUrl),
        ClusterModule.forNode(deps.node),
        AuditModule,
        AuthModule,
        HealthModule,
        CertificatesModule,
        AgentsModule,
        LocalCaModule,
        ProfilesModule,
        RolloutsModule,
        AgentPackagesModule,
        ListenersModule,
        SettingsModule,
        AcmeModule,
        MetricsModule,
        MigrationModule,
        RotationModule,
        LiveModule,
        OverviewModule,
        UiModule,
        ApiDocsModule,
        DiagnosticsModule,
      ],
    };
  }
}
