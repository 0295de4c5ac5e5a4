import { Injectable, Logger, type OnModuleDestroy } from '@nestjs/common';
import { type ProfileStatus } from '../../../../libs/protocol/index.js';
import { KeyedBatcher } from '../common/keyed-batcher.js';
import { parseDeliveryId } from './delivery-id.js';
import { ProgressHold, SUPERSEDED, type RecordOutcome, type StatusAnswer } from './progress-hold.js';
import { afterStatus } from './rollout-agent-state.js';
import { RolloutDeliveriesRepository, type StateChange } from './rollout-deliveries.repository.js';
import { type DeliveryEntry } from './rollout.types.js';
import { RolloutsRepository, type Queryable } from './rollouts.repository.js';

/** Answers recorded per transaction at most, and how long the first of a batch waits for others. */
const MAX_BATCH = 500;
const BATCH_DELAY_MS = 5;
/** How long a progress note waits for the answer that would make it moot (ProgressHold). */
const PROGRESS_HOLD_MS = 250;
/** PostgreSQL's codes for a deadlock and a serialization failure: the batch is simply tried again. */
const RETRYABLE = new Set(['40P01', '40001']);

/**
 * Records agents' `profile.status` on their rollout entries. Only answers that belong to this agent,
 * to the entry's current attempt and to the revision's sha256 count; duplicates and late answers that
 * would move the entry backwards are ignored, so replays are harmless.
 *
 * Answers are written in batches (one transaction, one statement per kind of change, for up to 500
 * answers, at most one per agent so an agent's answers keep their order): during a push to thousands of
 * agents a transaction per answer made PostgreSQL the bottleneck (docs/benchmarks.md). A progress note
 * is held back briefly and dropped when the same delivery's next answer overtakes it (ADR 16).
 */
@Injectable()
export class RolloutStatusRecorder implements OnModuleDestroy {
  private readonly logger = new Logger('rollouts');
  private readonly batcher = new KeyedBatcher<StatusAnswer, RecordOutcome>(
    (answers) => this.applyBatch(answers),
    {
      maxBatch: MAX_BATCH,
      delayMs: BATCH_DELAY_MS,
    },
  );
  private readonly notes = new ProgressHold(
    (answer) => this.batcher.add(answer.agentId, answer),
    PROGRESS_HOLD_MS,
  );

  constructor(
    private readonly rollouts: RolloutsRepository,
    private readonly deliveries: RolloutDeliveriesRepository,
  ) {}

  async record(agentId: string, status: ProfileStatus): Promise<RecordOutcome> {
    const id = parseDeliveryId(status.deliveryId);
    const outcome: RecordOutcome = id
      ? await this.notes.submit({ agentId, status, rolloutId: id.rolloutId, attempt: id.attempt })
      : { recorded: false, why: 'not a delivery central made' };
    if (!outcome.recorded && outcome.why !== 'duplicate' && outcome.why !== SUPERSEDED)
      this.logger.warn(
        `agent ${agentId}: ignored profile.status ${status.state} (${status.deliveryId}): ${outcome.why}`,
      );
    return outcome;
  }

  /**
   * Resolves when every answer received from this agent so far is written. A hello waits for it: the
   * candidate connection's hello follows `applying` within milliseconds, and the reconciler must see it.
   */
  async settle(agentId: string): Promise<void> {
    this.notes.release(agentId);
    await this.batcher.settled(agentId);
  }

  /** Answers already received are written before central stops. */
  async onModuleDestroy(): Promise<void> {
    this.notes.releaseAll();
    await this.batcher.drain();
  }

  private async applyBatch(answers: StatusAnswer[]): Promise<RecordOutcome[]> {
    for (let attempt = 1; ; attempt++) {
      try {
        return await this.rollouts.transaction((tx) => this.apply(answers, tx));
      } catch (error) {
        const code = (error as { code?: string }).code;
        if (attempt >= 3 || !code || !RETRYABLE.has(code)) throw error;
      }
    }
  }

  private async apply(answers: StatusAnswer[], tx: Queryable): Promise<RecordOutcome[]> {
    // An answer need not wait for its WAL flush: if central crashes before it reaches the disk, the
    // agent reports its active and staged profile at its next hello and the reconciler records it
    // again (ADR 14). This takes a disk flush off every batch of acknowledgements.
    await tx.query('SET LOCAL synchronous_commit TO OFF');
    const entries = new Map(
      (await this.deliveries.entries(answers, tx)).map((e) => [`${e.rolloutId}/${e.agentId}`, e]),
    );
    const changes = new Map<string, StateChange>();
    const outcomes = answers.map((answer): RecordOutcome => {
      const { agentId, status } = answer;
      const entry = entries.get(`${answer.rolloutId}/${agentId}`);
      if (!entry) return { recorded: false, why: 'no such delivery for this agent' };
      if (entry.attempts !== answer.attempt)
        return { recorded: false, why: `attempt ${answer.attempt} was replaced by ${entry.attempts}` };
      if (entry.sha256 !== status.sha256)
        return { recorded: false, why: `sha256 ${status.sha256} is not the revision's ${entry.sha256}` };
      const next = afterStatus(entry.state, entry.mode, status);
      if (!next) return { recorded: false, why: 'duplicate' };
      changes.set(`${entry.rolloutId}/${agentId}`, {
        rolloutId: entry.rolloutId,
        agentId,
        fromState: entry.state,
        attempts: entry.attempts,
        state: next.state,
        reason: next.state === 'failed' ? next.reason : null,
      });
      return { recorded: true, state: status.state, mode: entry.mode };
    });
    // A change holds only if its entry is still as it was read; one that moved meanwhile (a hello, a
    // timeout, an operator's retry) keeps its new state and this answer does not count.
    const held = new Set(
      (await this.deliveries.change([...changes.values()], tx)).map((c) => `${c.rolloutId}/${c.agentId}`),
    );
    const staged: Array<{ agentId: string; sha256: string }> = [];
    const applied: DeliveryEntry[] = [];
    answers.forEach((answer, i) => {
      const key = `${answer.rolloutId}/${answer.agentId}`;
      const change = changes.get(key);
      if (!outcomes[i]!.recorded || !change) return;
      if (!held.has(key)) {
        outcomes[i] = { recorded: false, why: `the entry changed meanwhile (was ${change.fromState})` };
        return;
      }
      const entry = entries.get(key)!;
      if (change.state === 'synchronized') staged.push({ agentId: answer.agentId, sha256: entry.sha256 });
      if (change.state === 'applied') applied.push(entry);
    });
    await this.deliveries.recordStaged(staged, tx);
    await this.deliveries.recordApplied(applied, tx);
    return outcomes;
  }
}
