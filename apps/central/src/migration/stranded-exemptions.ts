import { Inject, Injectable } from '@nestjs/common';
import { BulkActionsService, type BulkResult } from '../agents/bulk-actions.service.js';
import { type GateOptions, type MigrationActor } from './migration-deps.js';
import { MigrationService } from './migration.service.js';
import { describeStrandedFilter, type StrandedFilter } from './stranded-table.js';

/**
 * Exempts every stranded agent a filter matches ("all offline ones", "offline for more than 30 days") in
 * one step: the gate says who, the agents' bulk exempt does it (one transaction, one audit record).
 */
@Injectable()
export class StrandedExemptions {
  constructor(
    @Inject(MigrationService) private readonly migration: MigrationService,
    private readonly bulk: BulkActionsService,
  ) {}

  async exempt(
    input: GateOptions & {
      stranded: StrandedFilter;
      reason: string;
      expiresAt: Date;
      dryRun: boolean;
    },
    actor: MigrationActor,
  ): Promise<BulkResult & { stranded: string }> {
    const ids = await this.migration.strandedIds(input.stranded, input);
    const stranded = describeStrandedFilter(input.stranded);
    if (ids.length === 0)
      return {
        action: 'exempt',
        dryRun: input.dryRun,
        selection: stranded,
        matched: 0,
        changed: 0,
        skipped: [],
        stranded,
      };
    const result = await this.bulk.run(
      { action: 'exempt', reason: input.reason, expiresAt: input.expiresAt },
      { ids },
      { dryRun: input.dryRun, selectionWords: stranded },
      { username: actor.name, address: actor.address ?? 'unknown' },
    );
    return { ...result, stranded };
  }
}
