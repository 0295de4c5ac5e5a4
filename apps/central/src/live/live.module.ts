import { Module } from '@nestjs/common';
import { AgentsModule } from '../agents/agents.module.js';
import { AuthModule } from '../auth/auth.module.js';
import { AgentStatusPoller } from './agent-status.poller.js';
import { LiveGateway } from './live.gateway.js';
import { LiveUpgradeGuard } from './live-upgrade.guard.js';

/** Live updates for the admin UI over a WebSocket on the admin port (see LiveWsAdapter). */
@Module({
  imports: [AgentsModule, AuthModule],
  providers: [LiveUpgradeGuard, AgentStatusPoller, LiveGateway],
})
export class LiveModule {}
