import { Injectable, Logger } from '@nestjs/common';
import { createHash } from 'node:crypto';
import { type TrustAnchor } from '../../../../libs/protocol/index.js';
import { ClusterBus } from '../cluster/cluster-bus.js';
import { EventBus } from '../common/event-bus.js';
import { KeyedBatcher } from '../common/keyed-batcher.js';
import { AgentTrustRepository, type TrustAnchorsWrite } from './agent-trust.repository.js';

/** Agent ids per NOTIFY: PostgreSQL caps a notification at 8,000 bytes. */
const IDS_PER_NOTICE = 40;

/**
 * Keeps `agent_trust_anchors` current without a database round trip per hello (ADR 24): every node
 * remembers the hash of each agent's stored report, and a hello or `trust.report` is written only
 * when its anchors differ — in batches, a few hundred milliseconds after the first. The node that
 * writes tells the others (they forget their hash for those agents, so a later report is compared
 * with what is stored, not with what they saw). Reports are lost only if the node dies in that window;
 * the agent's next hello reports again.
 */
@Injectable()
export class TrustAnchorsRecorder {
  private readonly logger = new Logger('agents');
  private stored: Map<string, string> | undefined;
  private loading: Promise<Map<string, string>> | undefined;
  private readonly batcher = new KeyedBatcher<TrustAnchorsWrite, void>(
    async (batch) => {
      await this.repo.write(batch);
      const ids = batch.map((w) => w.agentId);
      for (let i = 0; i < ids.length; i += IDS_PER_NOTICE)
        await this.cluster.publish('agent.trust.reported', { agentIds: ids.slice(i, i + IDS_PER_NOTICE) });
      return batch.map(() => undefined);
    },
    { maxBatch: 500, delayMs: 250 },
  );

  constructor(
    private readonly repo: AgentTrustRepository,
    private readonly cluster: ClusterBus,
    events: EventBus,
  ) {
    events.on('agent.trust.reported', ({ agentIds }) => {
      for (const id of agentIds) this.stored?.delete(id);
    });
  }

  /**
   * An agent said what it trusts (`undefined`: it did not say, e.g. an older agent): stored if that
   * differs from what is stored. `secure`: the session uses TLS; a plain hello without anchors keeps
   * the last report (a plain session does not depend on the server certificate).
   */
  record(agentId: string, anchors: TrustAnchor[] | undefined, secure: boolean): void {
    if (anchors === undefined && !secure) return;
    // Nothing changed (most hellos): decided here, without the promises of the path that writes (ADR 54).
    if (this.stored && (this.stored.get(agentId) ?? '') === (anchors ? hashAnchors(anchors) : '')) return;
    void this.recordNow(agentId, anchors ?? null).catch((error: Error) =>
      this.logger.warn(`trust anchors of agent ${agentId} not stored: ${error.message}`),
    );
  }

  /** Resolves when every report received so far is stored (the certificate guard reads the table). */
  flush(): Promise<void> {
    return this.batcher.drain();
  }

  private async recordNow(agentId: string, anchors: TrustAnchor[] | null): Promise<void> {
    const stored = await this.storedHashes();
    const hash = anchors === null ? '' : hashAnchors(anchors);
    if ((stored.get(agentId) ?? '') === hash) return;
    // Later reports of this agent wait for this one (KeyedBatcher keeps their order).
    await this.batcher.add(agentId, { agentId, anchors, hash });
    if (hash === '') stored.delete(agentId);
    else stored.set(agentId, hash);
  }

  private storedHashes(): Promise<Map<string, string>> {
    if (this.stored) return Promise.resolve(this.stored);
    this.loading ??= this.repo.storedHashes().then(
      (map) => (this.stored = map),
      (error: unknown) => {
        this.loading = undefined;
        throw error;
      },
    );
    return this.loading;
  }
}

/** The identity of a report: its anchors' fingerprints, in order (agents send them sorted). */
export function hashAnchors(anchors: readonly TrustAnchor[]): string {
  const fingerprints = anchors.map((a) => a.sha256).sort();
  return createHash('sha256').update(fingerprints.join(',')).digest('hex');
}
