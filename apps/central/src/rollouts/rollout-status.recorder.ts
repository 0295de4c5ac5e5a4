import { countProfileFailure } from '../metrics/event-counters.js';
import { Injectable, Logger, type OnModuleDestroy } from '@nestjs/common';
import { type ProfileStatus } from '../../../../libs/protocol/index.js';
import { KeyedBatcher } from '../common/keyed-batcher.js';
import { parseDeliveryId } from './delivery-id.js';
import { ProgressHold, SUPERSEDED, type RecordOutcome, type StatusAnswer } from './progress-hold.js';
import { judgeAnswer, type Judgement } from './answer-judgement.js';
import { DeliveryMemory } from './delivery-memory.js';
import { goalOf } from './rollout-agent-state.js';
import {
  ANSWER_PLAN_SETTINGS,
  RolloutDeliveriesRepository,
  type StateChange,
} from './rollout-deliveries.repository.js';
import { type DeliveryEntry } from './rollout.types.js';
import { RolloutsRepository, type Queryable } from './rollouts.repository.js';

/** Answers recorded per transaction at most, and how long the first of a batch waits for others. */
const MAX_BATCH = 500;
const BATCH_DELAY_MS = 5;
/**
 * How long a progress note waits for the answer that would make it moot (ProgressHold): a quarter of its
 * rollout's step timeout, between these bounds. During a big push agents wait seconds for their download
 * (50,000 agents: ~2 s from frame to `synchronized`), and a 250 ms hold let almost every note through,
 * one more row update per agent (ADR 16). A quarter of the timeout keeps the note on record well before
 * the stale walk would judge the step silent. A note of a delivery this node does not remember sending
 * (central restarted meanwhile) waits the shortest hold.
 */
const PROGRESS_HOLD_MIN_MS = 250;
const PROGRESS_HOLD_MAX_MS = 5000;
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
    (note) => progressHoldMs(this.memory.recall(note.rolloutId, note.agentId)?.stepTimeoutSeconds),
  );

  constructor(
    private readonly rollouts: RolloutsRepository,
    private readonly deliveries: RolloutDeliveriesRepository,
    private readonly memory: DeliveryMemory,
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
        const { outcomes, written } = await this.rollouts.transaction((tx) => this.apply(answers, tx));
        // Only what is committed is remembered (a batch that failed may have been rolled back).
        for (const entry of written) {
          if (entry.state === 'failed') countProfileFailure(entry.mode);
          if (entry.state === 'failed' || entry.state === goalOf(entry.mode))
            this.memory.forget(entry.rolloutId, entry.agentId);
          else this.memory.remember(entry);
        }
        return outcomes;
      } catch (error) {
        const code = (error as { code?: string }).code;
        if (attempt >= 3 || !code || !RETRYABLE.has(code)) throw error;
      }
    }
  }

  private async apply(
    answers: StatusAnswer[],
    tx: Queryable,
  ): Promise<{ outcomes: RecordOutcome[]; written: DeliveryEntry[] }> {
    // An answer need not wait for its WAL flush: if central crashes before it reaches the disk, the
    // agent reports its active and staged profile at its next hello and the reconciler records it
    // again (ADR 14). This takes a disk flush off every batch of acknowledgements. And each answer is
    // joined to its own entry by key, never by a scan of the whole rollout (ANSWER_PLAN_SETTINGS).
    await tx.query(ANSWER_PLAN_SETTINGS);
    // Judged from the entries this node remembers sending where that gives a change; the rest, and the
    // remembered ones whose change does not hold (the entry moved meanwhile), from the table (ADR 19).
    const judged = new Array<Judged | undefined>(answers.length);
    const unread: number[] = [];
    answers.forEach((answer, i) => {
      const entry = this.memory.recall(answer.rolloutId, answer.agentId);
      const judgement = entry && judgeAnswer(answer, entry);
      if (judgement?.change) judged[i] = { judgement, remembered: true };
      else unread.push(i);
    });
    await this.judgeFromTable(answers, unread, judged, tx);
    let held = await this.write(judged, tx);
    const misjudged = new Set(
      judged.flatMap((j, i) => (j?.remembered && j.judgement.change && !held.has(i) ? [i] : [])),
    );
    if (misjudged.size > 0) {
      await this.judgeFromTable(answers, [...misjudged], judged, tx);
      const again = await this.write(
        judged.map((j, i) => (misjudged.has(i) ? j : undefined)),
        tx,
      );
      held = new Set([...held, ...again]);
    }
    const staged: Array<{ agentId: string; sha256: string }> = [];
    const applied: DeliveryEntry[] = [];
    const written: DeliveryEntry[] = [];
    const outcomes = judged.map((j, i): RecordOutcome => {
      const { judgement } = j!;
      const { change, entry } = judgement;
      if (!change) return judgement.outcome;
      // A change holds only if its entry was still as it was judged; one that moved meanwhile (a hello,
      // a timeout, an operator's retry) keeps its new state and this answer does not count.
      if (!held.has(i))
        return { recorded: false, why: `the entry changed meanwhile (was ${change.fromState})` };
      if (change.state === 'synchronized') staged.push({ agentId: change.agentId, sha256: entry.sha256 });
      if (change.state === 'applied') applied.push(entry);
      written.push({ ...entry, state: change.state });
      return judgement.outcome;
    });
    await this.deliveries.recordStaged(staged, tx);
    await this.deliveries.recordApplied(applied, tx);
    return { outcomes, written };
  }

  /** Judges the answers at these positions from their entries as the table has them now. */
  private async judgeFromTable(
    answers: StatusAnswer[],
    positions: number[],
    judged: Array<Judged | undefined>,
    tx: Queryable,
  ): Promise<void> {
    if (positions.length === 0) return;
    const read = await this.deliveries.entries(
      positions.map((i) => answers[i]!),
      tx,
    );
    const entries = new Map(read.map((e) => [`${e.rolloutId}/${e.agentId}`, e]));
    for (const i of positions) {
      const answer = answers[i]!;
      const entry = entries.get(`${answer.rolloutId}/${answer.agentId}`);
      judged[i] = { judgement: judgeAnswer(answer, entry), remembered: false };
    }
  }

  /** Writes the judged changes; returns the positions whose change held. */
  private async write(judged: Array<Judged | undefined>, tx: Queryable): Promise<Set<number>> {
    const changes: StateChange[] = [];
    const positions = new Map<string, number>();
    judged.forEach((j, i) => {
      const change = j?.judgement.change;
      if (!change) return;
      changes.push(change);
      positions.set(`${change.rolloutId}/${change.agentId}`, i);
    });
    const held = await this.deliveries.change(changes, tx);
    return new Set(held.map((c) => positions.get(`${c.rolloutId}/${c.agentId}`)!));
  }
}

/** The hold of a progress note whose rollout times steps out after `stepTimeoutSeconds` (if known). */
export function progressHoldMs(stepTimeoutSeconds: number | undefined): number {
  if (stepTimeoutSeconds === undefined) return PROGRESS_HOLD_MIN_MS;
  return Math.min(PROGRESS_HOLD_MAX_MS, Math.max(PROGRESS_HOLD_MIN_MS, (stepTimeoutSeconds * 1000) / 4));
}

interface Judged {
  judgement: Judgement;
  /** Judged from memory: re-read if its change does not hold. */
  remembered: boolean;
}
