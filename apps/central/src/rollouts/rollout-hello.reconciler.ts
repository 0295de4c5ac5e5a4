import { Injectable, Logger } from '@nestjs/common';
import { type Hello } from '../../../../libs/protocol/index.js';
import { KeyedBatcher } from '../common/keyed-batcher.js';
import { upgradeNeeded } from './capability-gate.js';
import { DeliveryMemory } from './delivery-memory.js';
import { afterHello, recordIsFinal, type Transition } from './rollout-agent-state.js';
import { RolloutDeliveriesRepository, type StateChange } from './rollout-deliveries.repository.js';
import { type DeliveryEntry } from './rollout.types.js';
import { RolloutsRepository } from './rollouts.repository.js';
import { RolloutEntriesPresence } from './rollout-entries-presence.js';

type DesiredProfile = { name: string; revision: number; sha256: string } | null;

/**
 * At every hello, the agent's rollout entries are corrected against what it reports (docs/design.md §8): a
 * swapped or reset agent cannot keep an "applied" it no longer backs, an agent that runs or stages the
 * revision is shown so, and the capability gate is checked against the version it reports now. A
 * finished rollout's record is final (ADR 28): only its entries still under way are corrected.
 */
@Injectable()
export class RolloutHelloReconciler {
  private readonly logger = new Logger('rollouts');
  /** The desired profiles of many hellos read in one statement (ADR 26). */
  private readonly desired: KeyedBatcher<string, DesiredProfile>;

  constructor(
    private readonly rollouts: RolloutsRepository,
    private readonly deliveries: RolloutDeliveriesRepository,
    private readonly memory: DeliveryMemory,
    private readonly entries: RolloutEntriesPresence,
  ) {
    this.desired = new KeyedBatcher(
      async (agentIds) => {
        const found = await this.deliveries.desiredProfiles(agentIds);
        return agentIds.map((id) => found.get(id) ?? null);
      },
      { maxBatch: 500, delayMs: 5 },
    );
  }

  async reconcile(hello: Hello): Promise<DesiredProfile> {
    // No rollout entry anywhere (a fleet that never ran a rollout): nothing to reconcile, no query.
    if (this.entries.mayExist()) await this.reconcileEntries(hello);
    return this.desired.add(hello.agentId, hello.agentId);
  }

  private async reconcileEntries(hello: Hello): Promise<void> {
    const agent = { agentVersion: hello.agentVersion, capabilities: hello.capabilities };
    const reported = {
      active: hello.profileSha256,
      staged: hello.stagedProfileSha256 ?? null,
      candidate: hello.candidate,
    };
    await this.rollouts.transaction(async (tx) => {
      const entries = await this.deliveries.scope([hello.agentId], tx);
      const changes: StateChange[] = [];
      const applied: DeliveryEntry[] = [];
      for (const entry of entries) {
        if (recordIsFinal(entry)) continue;
        const next =
          gated(entry, agent) ??
          afterHello(entry.state, entry.mode, entry.sha256, reported) ??
          resentOnNewSession(entry, hello);
        if (!next) continue;
        // What this node remembers sending no longer holds: the next answer is judged from the table.
        this.memory.forget(entry.rolloutId, entry.agentId);
        changes.push({
          rolloutId: entry.rolloutId,
          agentId: entry.agentId,
          fromState: entry.state,
          attempts: entry.attempts,
          ...next,
        });
        if (next.state === 'applied') applied.push(entry);
        this.logger.log(
          `agent ${entry.agentId} in rollout ${entry.rolloutId}: ${entry.state} → ${next.state}${next.reason ? ` (${next.reason})` : ''}`,
        );
      }
      await this.deliveries.change(changes, tx);
      await this.deliveries.recordApplied(applied, tx);
    });
  }
}

/**
 * A hello opens a new session, so a step already sent on an earlier one was interrupted — typically by
 * central stopping mid-download or mid-switch. It starts over as a new attempt: the agent's late answer
 * for the old attempt (e.g. "download failed: connection reset") is then ignored instead of failing the
 * entry, and the dispatcher sends the step again on this session.
 */
function resentOnNewSession(entry: DeliveryEntry, hello: Hello): Transition | undefined {
  if (entry.sentSession === null) return undefined;
  // The candidate connection is part of the activation under way, not an interruption of it.
  if (hello.candidate === true && entry.sentStep === 'activate') return undefined;
  const interrupted =
    (entry.state === 'pending' && entry.sentStep === 'sync') ||
    (entry.state === 'synchronized' && entry.sentStep === 'activate');
  return interrupted ? { state: entry.state, reason: null, restart: true } : undefined;
}

/** An agent that was upgraded becomes deliverable again; one that was downgraded is held back. */
function gated(entry: DeliveryEntry, agent: Parameters<typeof upgradeNeeded>[1]): Transition | undefined {
  const reason = upgradeNeeded(entry, agent);
  if (entry.state === 'needs_upgrade')
    return reason ? undefined : { state: 'pending', reason: null, restart: true };
  if (entry.state === 'pending' && reason) return { state: 'needs_upgrade', reason };
  return undefined;
}
