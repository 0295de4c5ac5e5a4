import { Logger } from '@nestjs/common';

/** Why an agent connection was refused early, for the log and the metric. */
export type RefusalReason = 'busy' | 'descriptors' | 'database' | 'pool' | 'handshakes';

const WORDS: Record<RefusalReason, string> = {
  busy: 'too many upgrades and hellos in progress',
  descriptors: 'over the descriptor budget for agent connections',
  database: 'the database did not answer',
  pool: 'the database pool is exhausted',
  handshakes: 'too many TLS handshakes in progress or the upgrade queue full (closed before TLS)',
};

/** A burst ends after this long without a refusal of its reason. */
const BURST_GAP_MS = 10_000;

/**
 * Counts early refusals (for `switchyard_agent_connections_refused_total`) and logs them once per burst:
 * a storm refuses thousands of upgrades, and one line per refusal would cost more than the refusal.
 */
export class RefusalLog {
  private readonly logger = new Logger('listeners');
  private readonly totals: Record<RefusalReason, number> = {
    busy: 0,
    descriptors: 0,
    database: 0,
    pool: 0,
    handshakes: 0,
  };
  private readonly bursts = new Map<RefusalReason, { count: number; timer: NodeJS.Timeout }>();

  refused(reason: RefusalReason, detail: string): void {
    this.totals[reason]++;
    const burst = this.bursts.get(reason);
    if (burst) {
      burst.count++;
      burst.timer.refresh();
      return;
    }
    const answer = reason === 'handshakes' ? 'closed' : '503, Retry-After';
    this.logger.warn(`refusing agent connections (${answer}): ${WORDS[reason]} (${detail})`);
    const timer = setTimeout(() => {
      const ended = this.bursts.get(reason);
      this.bursts.delete(reason);
      if (ended && ended.count > 1)
        this.logger.warn(`refused ${ended.count} agent connections: ${WORDS[reason]}; none for 10 s now`);
    }, BURST_GAP_MS);
    timer.unref();
    this.bursts.set(reason, { count: 1, timer });
  }

  /** Refusals since start, by reason. */
  counts(): Readonly<Record<RefusalReason, number>> {
    return { ...this.totals };
  }
}
