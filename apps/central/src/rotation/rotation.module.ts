import { Module } from '@nestjs/common';
import { DataSource } from 'typeorm';
import { AgentTrustRepository } from '../agents/agent-trust.repository.js';
import { AgentsModule } from '../agents/agents.module.js';
import { TrustAnchorsRecorder } from '../agents/trust-anchors.recorder.js';
import { AuditService } from '../audit/audit.service.js';
import { CertificatesModule } from '../certificates/certificates.module.js';
import { CertificatesRepository } from '../certificates/certificates.repository.js';
import { CertificatesService } from '../certificates/certificates.service.js';
import { CENTRAL_CONFIG, type CentralConfig } from '../config/central-config.js';
import { SecretBox } from '../crypto/secret-box.js';
import { loadMigrationConfig } from '../migration/migration.config.js';
import { RolloutsIntegration } from '../migration/rollouts-integration.js';
import { RolloutProgressRepository } from '../rollouts/rollout-progress.repository.js';
import { ProfilePrepareService } from '../profiles/profile-prepare.service.js';
import { ProfilesModule } from '../profiles/profiles.module.js';
import { ProfilesService } from '../profiles/profiles.service.js';
import { FleetProfilePublisher } from '../rollouts/fleet-profile-publisher.js';
import { DesiredProfilesRepository } from '../rollouts/desired-profiles.repository.js';
import { RolloutsModule } from '../rollouts/rollouts.module.js';
import { RolloutsService } from '../rollouts/rollouts.service.js';
import { RotationAutopilot } from './rotation-autopilot.js';
import { loadAutopilotConfig } from './rotation-autopilot.config.js';
import { type RotationDeps } from './rotation-deps.js';
import { RotationController } from './rotation.controller.js';
import { RotationRepository } from './rotation.repository.js';
import { RotationService } from './rotation.service.js';

const ROTATION_DEPS = Symbol('ROTATION_DEPS');

/** Builds the rotation's dependencies from this node's services: it can publish (certmgr's cannot). */
function createRotationDeps(
  db: DataSource,
  secrets: SecretBox,
  certificates: CertificatesService,
  trust: AgentTrustRepository,
  recorder: TrustAnchorsRecorder,
  audit: AuditService,
  central: CentralConfig,
  rollouts: RolloutsService,
  profiles: ProfilesService,
  prepare: ProfilePrepareService,
): RotationDeps {
  const stored = new CertificatesRepository(db);
  const progress = new RolloutsIntegration(new RolloutProgressRepository(db));
  return {
    repo: new RotationRepository(db),
    secrets,
    certificates,
    activeCertificate: async () => {
      const active = await stored.findActive();
      return active ? { id: active.id, chainPem: active.chainPem } : undefined;
    },
    trust: { knownSecureAgents: (hours) => trust.knownSecureAgents(hours), flush: () => recorder.flush() },
    windowHours: loadMigrationConfig().minWindowHours,
    publisher: new FleetProfilePublisher({
      desired: new DesiredProfilesRepository(db),
      profiles,
      prepare,
      rollouts,
    }),
    rolloutProgress: (id) => progress.progress(id),
    audit: (actor, action, outcome, details) =>
      audit.record(
        actor.name === 'system' ? 'system' : { username: actor.name, address: actor.address ?? 'unknown' },
        action,
        outcome,
        'certificate-rotation',
        details,
      ),
    agentHosts: central.agentHosts,
  };
}

/** The automatic rotation's driver (ADR 32), on every node; the advisory lock lets one act at a time. */
function createAutopilot(db: DataSource, deps: RotationDeps, service: RotationService): RotationAutopilot {
  return new RotationAutopilot(
    deps,
    service,
    (work) => deps.repo.withAutopilotLock(db, work),
    loadAutopilotConfig(),
  );
}

@Module({
  imports: [AgentsModule, CertificatesModule, RolloutsModule, ProfilesModule],
  controllers: [RotationController],
  providers: [
    {
      provide: ROTATION_DEPS,
      useFactory: createRotationDeps,
      inject: [
        DataSource,
        SecretBox,
        CertificatesService,
        AgentTrustRepository,
        TrustAnchorsRecorder,
        AuditService,
        CENTRAL_CONFIG,
        RolloutsService,
        ProfilesService,
        ProfilePrepareService,
      ],
    },
    {
      provide: RotationService,
      useFactory: (deps: RotationDeps) => new RotationService(deps),
      inject: [ROTATION_DEPS],
    },
    {
      provide: RotationAutopilot,
      useFactory: createAutopilot,
      inject: [DataSource, ROTATION_DEPS, RotationService],
    },
  ],
  exports: [RotationService, RotationAutopilot],
})
export class RotationModule {}
