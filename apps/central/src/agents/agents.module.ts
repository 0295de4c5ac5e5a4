import { Module } from '@nestjs/common';
import { AgentAuthenticator } from './agent-authenticator.js';
import { AgentCredentials } from './agent-credentials.js';
import { AgentSessions } from './agent-sessions.js';
import { AgentSweeper } from './agent-sweeper.js';
import { AgentsController } from './agents.controller.js';
import { AgentsRepository } from './agents.repository.js';
import { AgentsService } from './agents.service.js';
import { DeadNodeWatch } from './dead-node-watch.js';
import { AgentStatusChangesQuery } from './agent-status-changes.query.js';
import { DeadNodeSessionsRepository } from './dead-node-sessions.repository.js';
import { EnrollmentTokensRepository } from './enrollment-tokens.repository.js';
import { AgentTrustRepository } from './agent-trust.repository.js';
import { TrustAnchorsRecorder } from './trust-anchors.recorder.js';
import { SessionStatusWriter } from './session-status.writer.js';
import { BulkActionsController } from './bulk-actions.controller.js';
import { BulkActionsRepository } from './bulk-actions.repository.js';
import { BulkActionsService } from './bulk-actions.service.js';
import { FleetAgentsRepository } from './fleet-agents.repository.js';

@Module({
  controllers: [AgentsController, BulkActionsController],
  providers: [
    AgentsRepository,
    EnrollmentTokensRepository,
    AgentCredentials,
    SessionStatusWriter,
    AgentAuthenticator,
    AgentSessions,
    AgentSweeper,
    DeadNodeWatch,
    DeadNodeSessionsRepository,
    AgentStatusChangesQuery,
    AgentsService,
    AgentTrustRepository,
    TrustAnchorsRecorder,
    BulkActionsRepository,
    BulkActionsService,
    FleetAgentsRepository,
  ],
  exports: [
    AgentAuthenticator,
    AgentSessions,
    AgentsService,
    AgentTrustRepository,
    TrustAnchorsRecorder,
    BulkActionsService,
    // what other domains ask of the agents table (ADR 47)
    FleetAgentsRepository,
    // the live status poller reads only changed rows (ADR 52)
    AgentStatusChangesQuery,
  ],
})
export class AgentsModule {}
