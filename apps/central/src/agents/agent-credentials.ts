import { Injectable } from '@nestjs/common';
import { EventBus } from '../common/event-bus.js';
import { KeyedBatcher } from '../common/keyed-batcher.js';
import { sameHash } from '../crypto/secrets.js';
import { AgentsRepository } from './agents.repository.js';

interface Known {
  hash: string;
  used: boolean;
}

/** Misses looked up together: one statement for a restart storm's thousands of upgrades. */
const LOOKUP_BATCH = 1000;
const LOOKUP_DELAY_MS = 5;

/**
 * Agent credentials (agent id → SHA-256 of its credential) held in memory, so an upgrade is checked
 * without a database round trip (ADR 26). Misses are read in batches. An entry is dropped when the agent
 * is revoked or re-enrolled, on every node (ClusterBus); a presented credential that does not match the
 * cached one is read again before it is refused, so a stale entry can only cost one lookup.
 */
@Injectable()
export class AgentCredentials {
  private readonly known = new Map<string, Known>();
  /** Bumped per agent on every change: a lookup that raced a change does not fill the cache. */
  private readonly changes = new Map<string, number>();
  private readonly lookups: KeyedBatcher<string, Known | undefined>;
  /**
   * First uses written together: after a fleet enrolled, its first downloads or reconnects each wrote one
   * row alone (26,112 single-row UPDATEs in one 50,000-agent push, docs/benchmarks.md).
   */
  private readonly firstUses: KeyedBatcher<string, undefined>;

  constructor(
    private readonly agents: AgentsRepository,
    events: EventBus,
  ) {
    this.lookups = new KeyedBatcher(
      async (ids) => {
        const found = await this.agents.findCredentials(ids);
        return ids.map((id) => found.get(id));
      },
      { maxBatch: LOOKUP_BATCH, delayMs: LOOKUP_DELAY_MS },
    );
    this.firstUses = new KeyedBatcher(
      async (ids) => {
        await this.agents.markCredentialsUsed(ids);
        return ids.map(() => undefined);
      },
      { maxBatch: LOOKUP_BATCH, delayMs: LOOKUP_DELAY_MS },
    );
    events.on('agent.revoked', ({ agentId }) => this.forget(agentId));
    events.on('agent.credential.changed', ({ agentId }) => this.forget(agentId));
  }

  /** True when `presentedHash` is the agent's current credential (and the agent is not revoked). */
  async verify(agentId: string, presentedHash: string): Promise<boolean> {
    const cached = this.known.get(agentId);
    if (cached && sameHash(cached.hash, presentedHash)) return this.markUsed(agentId, cached);
    const stored = await this.lookup(agentId);
    if (!stored || !sameHash(stored.hash, presentedHash)) return false;
    return this.markUsed(agentId, stored);
  }

  /** This node enrolled the agent with a new credential (its first use is still to come). */
  remember(agentId: string, hash: string): void {
    this.forget(agentId);
    this.known.set(agentId, { hash, used: false });
  }

  forget(agentId: string): void {
    this.known.delete(agentId);
    this.changes.set(agentId, (this.changes.get(agentId) ?? 0) + 1);
  }

  size(): number {
    return this.known.size;
  }

  private async lookup(agentId: string): Promise<Known | undefined> {
    const before = this.changes.get(agentId);
    const stored = await this.lookups.add(agentId, agentId);
    if (stored && this.changes.get(agentId) === before) this.known.set(agentId, stored);
    return stored;
  }

  /** The first use of a credential is written once (it ends the enrollment's retry window, ADR 18). */
  private async markUsed(agentId: string, entry: Known): Promise<boolean> {
    if (!entry.used) {
      await this.firstUses.add(agentId, agentId);
      entry.used = true;
    }
    return true;
  }
}
