import { Module } from '@nestjs/common';
import { AgentsModule } from '../agents/agents.module.js';
import { LocalCaModule } from '../local-ca/local-ca.module.js';
import { ProfilesModule } from '../profiles/profiles.module.js';
import { ListenerManager } from './listener-manager.js';
import { ListenersController } from './listeners.controller.js';
import { NodeHeartbeat } from './node-heartbeat.js';
import { TlsTicketKeys } from './tls-ticket-keys.js';
import { TlsTicketKeysRepository } from './tls-ticket-keys.repository.js';

@Module({
  imports: [AgentsModule, LocalCaModule, ProfilesModule],
  controllers: [ListenersController],
  providers: [ListenerManager, NodeHeartbeat, TlsTicketKeys, TlsTicketKeysRepository],
  exports: [ListenerManager, NodeHeartbeat],
})
export class ListenersModule {}
