import { type GateOptions, type MigrationActor, type MigrationDeps } from './migration-deps.js';
import { MigrationExemptions } from './migration-exemptions.js';
import { type Phase } from './migration-phase.js';
import { MigrationStatusReader, type MigrationStatus } from './migration-status.js';
import { MigrationTransitions, type AdvanceRequest, type RollbackRequest } from './migration-transitions.js';
import {
  filterStranded,
  strandedCounts,
  type StrandedCounts,
  type StrandedFilter,
  type StrandedRow,
} from './stranded-table.js';

export interface StrandedPage {
  counts: StrandedCounts;
  /** Stranded agents the filter matches (all pages). */
  matched: number;
  offset: number;
  limit: number;
  agents: StrandedRow[];
}

/** The staged plain → secure migration (docs/design.md §7): one entry point for the API and the CLI. */
export class MigrationService {
  private readonly reader: MigrationStatusReader;
  private readonly transitions: MigrationTransitions;
  readonly exemptions: MigrationExemptions;

  constructor(deps: MigrationDeps) {
    this.reader = new MigrationStatusReader(deps);
    this.transitions = new MigrationTransitions(deps, this.reader);
    this.exemptions = new MigrationExemptions(deps);
  }

  /** The phase and how many agents `secure_only` would strand now (for metrics: read-only, no refresh). */
  async gauges(): Promise<{ phase: Phase; stranded: number }> {
    const [state, gate] = await Promise.all([this.reader.state(), this.reader.secureOnlyGate({})]);
    return { phase: state.phase, stranded: gate.stranded.length };
  }

  /** How many agents `secure_only` would strand now (for metrics: read-only, no refresh). */
  async strandedCount(): Promise<number> {
    return (await this.reader.secureOnlyGate({})).stranded.length;
  }

  /** The current phase alone (one row): for screens that read it often (the overview). */
  async phase(): Promise<Phase> {
    return (await this.reader.state()).phase;
  }

  async status(
    options: GateOptions & { strandedLimit?: number; exemptionsLimit?: number } = {},
  ): Promise<MigrationStatus> {
    return this.reader.status(await this.transitions.refresh(), options);
  }

  /** The stranded table: counts by reason over all, then one page of those the filter matches. */
  async strandedPage(
    query: StrandedFilter & GateOptions & { limit: number; offset: number },
  ): Promise<StrandedPage> {
    const { now, rows } = await this.reader.strandedTable(query);
    const matching = filterStranded(rows, query, now);
    return {
      counts: strandedCounts(rows),
      matched: matching.length,
      offset: query.offset,
      limit: query.limit,
      agents: matching.slice(query.offset, query.offset + query.limit),
    };
  }

  /** The ids of every stranded agent the filter matches now. */
  async strandedIds(filter: StrandedFilter, options: GateOptions = {}): Promise<string[]> {
    const { now, rows } = await this.reader.strandedTable(options);
    return filterStranded(rows, filter, now).map((r) => r.agentId);
  }

  async advance(req: AdvanceRequest, actor: MigrationActor): Promise<MigrationStatus> {
    await this.transitions.advance(req, actor);
    return this.status(req);
  }

  async rollback(req: RollbackRequest, actor: MigrationActor): Promise<MigrationStatus> {
    await this.transitions.rollback(req, actor);
    return this.status();
  }
}
