import { Injectable, Logger } from '@nestjs/common';
import { AgentCountsRepository, type AgentCounts } from '../agents/agent-counts.repository.js';
import { type ConnectionStatus } from '../agents/agents.repository.js';
import { expiryThresholds, lifetimeDaysOf } from '../certificates/certificate-report.js';
import { CertificatesService } from '../certificates/certificates.service.js';
import { DomainError } from '../common/domain-error.js';
import { nextPhase } from '../migration/migration-phase.js';
import { MigrationService } from '../migration/migration.service.js';
import { RolloutsOverviewRepository } from '../rollouts/rollouts-overview.repository.js';
import { FleetRevisionsQuery } from './fleet-revisions.query.js';
import { handshakeFailuresOfThisNode } from './handshake-failures.js';
import { type FleetOverview } from './overview.types.js';
import { Revalidating } from './revalidating.js';

/** Failed deliveries are counted over this window, and this many of the latest are named. */
export const FAILURE_WINDOW_HOURS = 24;
export const LATEST_FAILURES = 5;
/**
 * The migration gate judges every agent (one query, rows judged in memory: ~0.5 s at 10,000 agents on a
 * loaded machine): it is read again at most this often, and answered from the last read meanwhile.
 */
export const GATE_MAX_AGE_MS = 15_000;

const STATUSES: ConnectionStatus[] = ['online', 'disconnected', 'offline', 'never_connected'];
const startedAt = new Date(Date.now() - process.uptime() * 1000);

/**
 * The overview page in one answer. Each part comes from its own domain with a constant number of grouped
 * queries (nothing per agent leaves the database but the migration gate's facts); a part that cannot be
 * read is named in `unavailable` and the others are still answered.
 */
@Injectable()
export class OverviewService {
  private readonly logger = new Logger('overview');

  constructor(
    private readonly agents: AgentCountsRepository,
    private readonly revisions: FleetRevisionsQuery,
    private readonly rollouts: RolloutsOverviewRepository,
    private readonly migration: MigrationService,
    private readonly certificates: CertificatesService,
  ) {}

  private readonly gate = new Revalidating(
    () => this.migration.gauges(),
    GATE_MAX_AGE_MS,
    (error) => this.logger.warn(`overview: cannot check the migration gate: ${(error as Error).message}`),
  );

  async overview(): Promise<FleetOverview> {
    const unavailable: Record<string, string> = {};
    const part = <T>(name: string, read: () => Promise<T>, fallback: T): Promise<T> =>
      read().catch((error: unknown) => {
        unavailable[name] = (error as Error).message;
        this.logger.warn(`overview: cannot read ${name}: ${(error as Error).message}`);
        return fallback;
      });
    const [counts, revisions, active, failures, migration, certificate, handshake] = await Promise.all([
      part('agents', () => this.agents.counts(), { cells: [], revoked: 0 }),
      part('profiles', () => this.revisions.revisionCounts(), {
        revisions: [],
        runningNone: 0,
        runningUnknown: 0,
      }),
      part('rollouts', () => this.rollouts.active(), []),
      part('failures', () => this.rollouts.recentFailures(FAILURE_WINDOW_HOURS, LATEST_FAILURES), {
        count: 0,
        latest: [],
      }),
      part('migration', () => this.migrationFigures(), null),
      part('certificate', () => this.certificate(), null),
      part('handshake', () => handshakeFailuresOfThisNode(), { total: 0, byReason: {} }),
    ]);
    return {
      generatedAt: new Date(),
      agents: agentFigures(counts),
      profiles: {
        ...revisions,
        notOnDesired: revisions.revisions.reduce((n, r) => n + r.desired - r.desiredAndRunning, 0),
      },
      migration,
      certificate,
      rollouts: active,
      failures: {
        windowHours: FAILURE_WINDOW_HOURS,
        profile: failures,
        halted: active
          .filter((r) => r.state === 'halted')
          .map((r) => ({
            id: r.id,
            profile: r.profile,
            revision: r.revision,
            reason: r.stateReason,
            since: r.updatedAt,
          })),
        handshake: { ...handshake, since: startedAt },
      },
      unavailable,
    };
  }

  /** The phase as it is now; the stranded count as of the last gate check (at most GATE_MAX_AGE_MS old). */
  private async migrationFigures(): Promise<FleetOverview['migration']> {
    const [phase, gate] = await Promise.all([this.migration.phase(), this.gate.get()]);
    return { phase, next: nextPhase(phase), stranded: gate.value.stranded, strandedCheckedAt: gate.at };
  }

  private async certificate(): Promise<FleetOverview['certificate']> {
    try {
      const c = await this.certificates.activeSummary();
      const lifetimeDays = lifetimeDaysOf(c);
      return {
        subject: c.subject,
        notAfter: c.notAfter,
        daysLeft: c.daysLeft,
        lifetimeDays: Math.round(lifetimeDays),
        warnFromDays: expiryThresholds(lifetimeDays)[0]!,
        expiryWarning: c.expiryWarning,
      };
    } catch (error) {
      // No server certificate yet (the very first boot): nothing to show, nothing broken.
      if (error instanceof DomainError && error.category === 'not_found') return null;
      throw error;
    }
  }
}

function agentFigures(counts: AgentCounts): FleetOverview['agents'] {
  const byStatus = Object.fromEntries(STATUSES.map((s) => [s, 0])) as Record<ConnectionStatus, number>;
  const onlineByTransport: Record<string, number> = {};
  const byLastTransport: Record<string, number> = {};
  const add = (into: Record<string, number>, key: string, n: number) => {
    if (n > 0) into[key] = (into[key] ?? 0) + n;
  };
  for (const c of counts.cells) {
    byStatus[c.status] = (byStatus[c.status] ?? 0) + c.count;
    const transport = c.transport ?? 'none';
    add(byLastTransport, transport, c.count);
    if (c.status !== 'online') continue;
    add(onlineByTransport, transport, c.count - c.viaConnector);
    add(onlineByTransport, `${transport} (via connector)`, c.viaConnector);
  }
  return {
    total: counts.cells.reduce((n, c) => n + c.count, 0),
    revoked: counts.revoked,
    byStatus,
    onlineByTransport,
    byLastTransport,
  };
}
