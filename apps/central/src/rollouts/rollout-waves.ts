import { Injectable, Logger } from '@nestjs/common';
import { goalOf } from './rollout-agent-state.js';
import { RolloutDeliveriesRepository } from './rollout-deliveries.repository.js';
import { RolloutEntriesPresence } from './rollout-entries-presence.js';
import { type Rollout } from './rollout.types.js';
import { decide, type RolloutProgress } from './wave-planner.js';
import { RolloutsRepository, type Queryable, type WaveStateCount } from './rollouts.repository.js';
import { dueParts, gapAfter, partDone, type EvaluationPart } from './rollout-evaluation-pace.repository.js';

// Arbitrary constant: one node at a time moves waves and times steps out.
const ROLLOUT_LOCK = 7_736_209;

/**
 * Wave advancement and step timeouts, done once for the cluster: the node that gets the transaction-level
 * advisory lock does the work; a node that finds it taken skips (the holder is doing the same thing
 * with the same rows).
 */
@Injectable()
export class RolloutWaves {
  private readonly logger = new Logger('rollouts');

  constructor(
    private readonly rollouts: RolloutsRepository,
    private readonly deliveries: RolloutDeliveriesRepository,
    private readonly entries: RolloutEntriesPresence,
  ) {}

  /**
   * Returns the rollouts whose state, wave or entries changed, and how soon a part skipped for its pace
   * may run (0: none was). `timeouts: false` only moves waves: the evaluation that follows a burst of
   * answers need not look for stale steps across every rollout entry. Each part waits a multiple of its
   * last duration after the previous one, cluster-wide (rollout-evaluation-pace.repository.ts, ADR 55).
   */
  async evaluate(options: { timeouts: boolean } = { timeouts: true }): Promise<Evaluation> {
    return this.rollouts.transaction(async (tx) => {
      const [{ locked }] = (await tx.query('SELECT pg_try_advisory_xact_lock($1) AS locked', [
        ROLLOUT_LOCK,
      ])) as Array<{ locked: boolean }>;
      if (!locked) return { changed: [], retryInMs: 0 };
      // No entry at all, nothing to time out: the walk's plan on an empty table probed every online agent.
      const wanted: EvaluationPart[] =
        options.timeouts && this.entries.mayExist() ? ['timeouts', 'waves'] : ['waves'];
      const { due, waitMs } = await dueParts(tx, wanted);
      const changed = new Set<string>();
      if (due.has('timeouts')) {
        const started = performance.now();
        for (const stale of await this.deliveries.markStale(tx)) changed.add(stale.rolloutId);
        await this.paced(tx, 'timeouts', started);
      }
      if (due.has('waves')) {
        const started = performance.now();
        for (const id of await this.moveWaves(tx)) changed.add(id);
        await this.paced(tx, 'waves', started);
      }
      return { changed: [...changed], retryInMs: waitMs };
    });
  }

  /** Records a part's duration; a gap too short to matter is not written (no write per idle tick). */
  private async paced(tx: Queryable, part: EvaluationPart, started: number): Promise<void> {
    const took = performance.now() - started;
    if (gapAfter(part, took) >= SHORTEST_RECORDED_GAP_MS) await partDone(tx, part, took);
  }

  private async moveWaves(tx: Queryable): Promise<string[]> {
    const active = await this.rollouts.evaluable(tx);
    if (active.length === 0) return [];
    const counts = await this.rollouts.waveCounts(
      active.map((r) => r.id),
      tx,
    );
    const changed: string[] = [];
    for (const rollout of active) {
      const decision = decide(progressOf(rollout, counts.get(rollout.id) ?? []));
      const from = [rollout.state];
      let moved = false;
      switch (decision.kind) {
        case 'halt':
          moved = await this.rollouts.setState(rollout.id, from, 'halted', { reason: decision.reason }, tx);
          break;
        case 'next_wave':
          if (rollout.state !== 'running') break;
          moved = await this.rollouts.setState(rollout.id, from, 'running', { nextWave: true }, tx);
          break;
        case 'await_approval':
          if (rollout.state !== 'running') break;
          moved = await this.rollouts.setState(
            rollout.id,
            from,
            'awaiting_approval',
            { reason: `wave ${rollout.currentWave} of ${rollout.waveCount} done; approve the next wave` },
            tx,
          );
          break;
        case 'complete':
          if (rollout.state !== 'running') break;
          moved = await this.rollouts.setState(rollout.id, from, 'completed', {}, tx);
          break;
        case 'wait':
          break;
      }
      if (moved) {
        changed.push(rollout.id);
        this.logger.log(`rollout ${rollout.id}: ${describe(decision.kind, rollout)}`);
      }
    }
    return changed;
  }
}

/** What an evaluation changed, and when a part it skipped for its pace may run (ms; 0: none skipped). */
export interface Evaluation {
  changed: string[];
  retryInMs: number;
}

/** Gaps shorter than this are not recorded: the next tick or answer comes later anyway. */
const SHORTEST_RECORDED_GAP_MS = 50;

/** Counts per state of the whole rollout and of its current wave, as the wave planner needs them. */
export function progressOf(rollout: Rollout, counts: WaveStateCount[]): RolloutProgress {
  const goal = goalOf(rollout.mode);
  const counted = counts.filter((c) => c.state !== 'needs_upgrade' && c.state !== 'cancelled');
  const sum = (list: WaveStateCount[]) => list.reduce((n, c) => n + c.count, 0);
  const wave = counted.filter((c) => c.wave === rollout.currentWave);
  return {
    currentWave: rollout.currentWave,
    waveCount: rollout.waveCount,
    successThresholdPercent: rollout.successThresholdPercent,
    pauseBetweenWaves: rollout.pauseBetweenWaves,
    errorThreshold: rollout.errorThreshold,
    eligible: sum(counted),
    failed: sum(counted.filter((c) => c.state === 'failed')),
    waveEligible: sum(wave),
    waveDone: sum(wave.filter((c) => c.state === goal)),
  };
}

function describe(kind: string, r: Rollout): string {
  switch (kind) {
    case 'next_wave':
      return `wave ${r.currentWave + 1} of ${r.waveCount} started`;
    case 'await_approval':
      return `wave ${r.currentWave} done, awaiting approval`;
    default:
      return kind === 'halt' ? 'halted by the error threshold' : 'completed';
  }
}
