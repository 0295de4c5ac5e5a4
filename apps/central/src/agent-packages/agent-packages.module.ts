import { Module } from '@nestjs/common';
import { ProfilesModule } from '../profiles/profiles.module.js';
import { AgentPackageKeys } from './agent-package-keys.js';
import { AgentPackagesController } from './agent-packages.controller.js';
import { AgentPackagesRepository } from './agent-packages.repository.js';
import { AgentPackagesService } from './agent-packages.service.js';

/**
 * Agent packages (issue 17 point 5, ADR 45): upload, checks, storage, and what rollouts deliver to
 * agents. Depends on profiles for the signing key agents pin.
 */
@Module({
  imports: [ProfilesModule],
  controllers: [AgentPackagesController],
  providers: [AgentPackageKeys, AgentPackagesRepository, AgentPackagesService],
  exports: [AgentPackagesRepository],
})
export class AgentPackagesModule {}
