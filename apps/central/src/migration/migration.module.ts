import { Module } from '@nestjs/common';
import { DataSource } from 'typeorm';
import { AuditService } from '../audit/audit.service.js';
import { CertificatesModule } from '../certificates/certificates.module.js';
import { CertificatesService } from '../certificates/certificates.service.js';
import { NodesRepository } from '../cluster/nodes.repository.js';
import { CENTRAL_CONFIG, type CentralConfig } from '../config/central-config.js';
import { ListenerManager } from '../listeners/listener-manager.js';
import { ListenersModule } from '../listeners/listeners.module.js';
import { ProfilePrepareService } from '../profiles/profile-prepare.service.js';
import { ProfilesModule } from '../profiles/profiles.module.js';
import { ProfilesService } from '../profiles/profiles.service.js';
import { RolloutsModule } from '../rollouts/rollouts.module.js';
import { RolloutsService } from '../rollouts/rollouts.service.js';
import { SettingsModule } from '../settings/settings.module.js';
import { SettingsService } from '../settings/settings.service.js';
import { MigrationController } from './migration.controller.js';
import { MIGRATION_CONFIG, loadMigrationConfig, type MigrationConfig } from './migration.config.js';
import { MigrationRepository } from './migration.repository.js';
import { MigrationService } from './migration.service.js';
import { RolloutsIntegration } from './rollouts-integration.js';
import { MigrationGateQuery } from './migration-gate.query.js';
import { FleetAgentsRepository } from '../agents/fleet-agents.repository.js';
import { ProfileRevisionsRepository } from '../profiles/profile-revisions.repository.js';
import { RolloutProgressRepository } from '../rollouts/rollout-progress.repository.js';
import { SecureRolloutStarter } from './secure-rollout.starter.js';
import { DesiredProfilesRepository } from '../rollouts/desired-profiles.repository.js';
import { AgentsModule } from '../agents/agents.module.js';
import { StrandedExemptions } from './stranded-exemptions.js';
import { BulkExemptionsRegistrar } from './bulk-exemptions.registrar.js';

/** Builds the migration from this node's services: settings applied live here, then NOTIFY (docs/design.md §7). */
function createMigrationService(
  db: DataSource,
  settings: SettingsService,
  certificates: CertificatesService,
  listeners: ListenerManager,
  nodes: NodesRepository,
  audit: AuditService,
  central: CentralConfig,
  config: MigrationConfig,
  rollouts: RolloutsService,
  profiles: ProfilesService,
  prepare: ProfilePrepareService,
  revisions: ProfileRevisionsRepository,
): MigrationService {
  const agents = new FleetAgentsRepository(db);
  const starter = new SecureRolloutStarter({
    desired: new DesiredProfilesRepository(db),
    profiles,
    prepare,
    rollouts,
    securePort: async () => (await settings.current()).value.secure.port,
  });
  return new MigrationService({
    repo: new MigrationRepository(db),
    gate: new MigrationGateQuery(db),
    agentExists: (id) => agents.isRegistered(id),
    revision: (profile, revision) => revisions.find(profile, revision),
    settings: {
      current: async () => (await settings.current()).value,
      change: async (patch, actor) => void (await settings.update(patch, actor)),
    },
    rollouts: new RolloutsIntegration(new RolloutProgressRepository(db), starter),
    activeChainPem: () => certificates.activeChainPem().catch(() => undefined),
    boundListeners: async () => [
      ...listeners.bound(),
      ...(await nodes.list()).filter((n) => n.alive).flatMap((n) => n.listeners),
    ],
    audit: (actor, action, outcome, details) =>
      audit.record(
        actor.name === 'system' ? 'system' : { username: actor.name, address: actor.address ?? 'unknown' },
        action,
        outcome,
        'migration',
        details,
      ),
    config,
    agentHosts: central.agentHosts,
    adminPort: central.http.port,
  });
}

@Module({
  imports: [
    SettingsModule,
    CertificatesModule,
    ListenersModule,
    RolloutsModule,
    ProfilesModule,
    AgentsModule,
  ],
  controllers: [MigrationController],
  providers: [
    { provide: MIGRATION_CONFIG, useFactory: () => loadMigrationConfig() },
    {
      provide: MigrationService,
      useFactory: createMigrationService,
      inject: [
        DataSource,
        SettingsService,
        CertificatesService,
        ListenerManager,
        NodesRepository,
        AuditService,
        CENTRAL_CONFIG,
        MIGRATION_CONFIG,
        RolloutsService,
        ProfilesService,
        ProfilePrepareService,
        ProfileRevisionsRepository,
      ],
    },
    StrandedExemptions,
    {
      provide: MigrationRepository,
      useFactory: (db: DataSource) => new MigrationRepository(db),
      inject: [DataSource],
    },
    BulkExemptionsRegistrar,
  ],
  exports: [MigrationService],
})
export class MigrationModule {}
