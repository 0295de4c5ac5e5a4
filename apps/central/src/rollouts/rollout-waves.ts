import { Injectable, Logger } from '@nestjs/common';
import { goalOf } from './rollout-agent-state.js';
import { RolloutDeliveriesRepository } from './rollout-deliveries.repository.js';
import { RolloutEntriesPresence } from './rollout-entries-presence.js';
import { type Rollout } from './rollout.types.js';
import { decide, type RolloutProgress } from './wave-planner.js';
import { RolloutsRepository, type WaveStateCount } from './rollouts.repository.js';

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
   * Returns the rollouts whose state, wave or entries changed. `timeouts: false` only moves waves: the
   * evaluation that follows a burst of answers need not look for stale steps across every rollout entry.
   */
  async evaluate(options: { timeouts: boolean } = { timeouts: true }): Promise<string[]> {
    return this.rollouts.transaction(async (tx) => {
      const [{ locked }] = (await tx.query('SELECT pg_try_advisory_xact_lock($1) AS locked', [
        ROLLOUT_LOCK,
      ])) as Array<{ locked: boolean }>;
      if (!locked) return [];
      const changed = new Set<string>();
      // No entry at all, nothing to time out: the walk's plan on an empty table probed every online agent.
      if (options.timeouts && this.entries.mayExist())
        for (const stale of await this.deliveries.markStale(tx)) changed.add(stale.rolloutId);
      const active = await this.rollouts.evaluable(tx);
      if (active.length === 0) return [...changed];
      const counts = await this.rollouts.waveCounts(
        active.map((r) => r.id),
        tx,
      );
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
          changed.add(rollout.id);
          this.logger.log(`rollout ${rollout.id}: ${describe(decision.kind, rollout)}`);
        }
      }
      return [...changed];
    });
  }
}

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
