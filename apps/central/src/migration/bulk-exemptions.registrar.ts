import { Injectable, type OnApplicationBootstrap } from '@nestjs/common';
import { BulkActionsService } from '../agents/bulk-actions.service.js';
import { MigrationRepository } from './migration.repository.js';

/**
 * Bulk exempt/unexempt (ADR 40) write the migration's exemptions through the migration's repository, on
 * the bulk action's transaction: registered with the agents' bulk actions at start (ADR 47).
 */
@Injectable()
export class BulkExemptionsRegistrar implements OnApplicationBootstrap {
  constructor(
    private readonly repo: MigrationRepository,
    private readonly bulk: BulkActionsService,
  ) {}

  onApplicationBootstrap(): void {
    this.bulk.useExemptions({
      exempt: (q, agentIds, e) => this.repo.exemptMany(q, agentIds, e),
      unexempt: (q, agentIds) => this.repo.unexemptMany(q, agentIds),
    });
  }
}
