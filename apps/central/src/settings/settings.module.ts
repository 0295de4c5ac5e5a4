import { Module } from '@nestjs/common';
import { AgentsModule } from '../agents/agents.module.js';
import { CertificatesModule } from '../certificates/certificates.module.js';
import { ListenersModule } from '../listeners/listeners.module.js';
import { LocalCaModule } from '../local-ca/local-ca.module.js';
import { SettingsController } from './settings.controller.js';
import { SettingsRepository } from './settings.repository.js';
import { SettingsService } from './settings.service.js';

@Module({
  imports: [ListenersModule, CertificatesModule, AgentsModule, LocalCaModule],
  controllers: [SettingsController],
  providers: [SettingsRepository, SettingsService],
  exports: [SettingsService],
})
export class SettingsModule {}
