import { Module } from '@nestjs/common';
import { AgentsModule } from '../agents/agents.module.js';
import { AuthModule } from '../auth/auth.module.js';
import { RolloutsModule } from '../rollouts/rollouts.module.js';
import { AgentStatusPoller } from './agent-status.poller.js';
import { LiveGateway } from './live.gateway.js';
import { LiveUpgradeGuard } from './live-upgrade.guard.js';
import { RolloutProgressPoller } from './rollout-progress.poller.js';

/** Live updates for the admin UI (agent status, rollout progress) over a WebSocket on the admin port (see LiveWsAdapter). */
@Module({
  imports: [AgentsModule, AuthModule, RolloutsModule],
  providers: [LiveUpgradeGuard, AgentStatusPoller, RolloutProgressPoller, LiveGateway],
})
export class LiveModule {}
