import { Module } from '@nestjs/common';
import { AgentPackagesModule } from '../agent-packages/agent-packages.module.js';
import { AgentsModule } from '../agents/agents.module.js';
import { ProfilesModule } from '../profiles/profiles.module.js';
import { ProfileSigningKeyService } from '../profiles/profile-signing-key.service.js';
import { DeliveryMemory } from './delivery-memory.js';
import { PROFILE_SIGNING_KEY } from './profile-signing-key.port.js';
import { RolloutDeliveriesRepository } from './rollout-deliveries.repository.js';
import { RolloutDispatcher } from './rollout-dispatcher.js';
import { RolloutHelloReconciler } from './rollout-hello.reconciler.js';
import { RolloutSessionHooks } from './rollout-session.hooks.js';
import { RolloutStatusRecorder } from './rollout-status.recorder.js';
import { RolloutTicker } from './rollout-ticker.js';
import { RolloutWaves } from './rollout-waves.js';
import { ROLLOUTS_CONFIG, loadRolloutsConfig } from './rollouts.config.js';
import { RolloutsController } from './rollouts.controller.js';
import { RolloutsRepository } from './rollouts.repository.js';
import { RolloutsService } from './rollouts.service.js';
import { RolloutEntriesPresence } from './rollout-entries-presence.js';
import { PackageDispatcher } from './package-dispatcher.js';
import { PackageRolloutsController } from './package-rollouts.controller.js';
import { PackageRolloutsRepository } from './package-rollouts.repository.js';
import { PackageRolloutsService } from './package-rollouts.service.js';
import { RolloutPlanner } from './rollout-plan.js';
import { RolloutProgressRepository } from './rollout-progress.repository.js';
import { BulkRetryRegistrar } from './bulk-retry.registrar.js';

/**
 * Rollouts (docs/design.md §5, §8; ADR 9): waves, thresholds and per-agent delivery state, driven from the
 * database on every node. Depends on agents (sessions) and profiles (the signing key), never the reverse.
 */
@Module({
  imports: [AgentsModule, ProfilesModule, AgentPackagesModule],
  controllers: [RolloutsController, PackageRolloutsController],
  providers: [
    { provide: ROLLOUTS_CONFIG, useFactory: () => loadRolloutsConfig() },
    { provide: PROFILE_SIGNING_KEY, useExisting: ProfileSigningKeyService },
    RolloutsRepository,
    RolloutDeliveriesRepository,
    DeliveryMemory,
    RolloutPlanner,
    RolloutsService,
    RolloutWaves,
    RolloutDispatcher,
    RolloutTicker,
    RolloutStatusRecorder,
    RolloutEntriesPresence,
    RolloutHelloReconciler,
    RolloutSessionHooks,
    PackageRolloutsRepository,
    PackageRolloutsService,
    PackageDispatcher,
    RolloutProgressRepository,
    BulkRetryRegistrar,
  ],
  exports: [RolloutsService, RolloutProgressRepository],
})
export class RolloutsModule {}
