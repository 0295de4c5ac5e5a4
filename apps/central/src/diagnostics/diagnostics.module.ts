import { Module } from '@nestjs/common';
import { AgentsModule } from '../agents/agents.module.js';
import { DiagnosticsController } from './diagnostics.controller.js';
import { DiagnosticsRepository } from './diagnostics.repository.js';
import { DiagnosticsService } from './diagnostics.service.js';
import { DiagnosticsUploads } from './diagnostics-uploads.js';

/** Diagnostics bundles asked of agents and uploaded over their sessions (issue 17 point 4, ADR 44). */
@Module({
  imports: [AgentsModule],
  controllers: [DiagnosticsController],
  providers: [DiagnosticsRepository, DiagnosticsService, DiagnosticsUploads],
})
export class DiagnosticsModule {}
