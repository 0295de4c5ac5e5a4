import {
  Inject,
  Injectable,
  Logger,
  type OnApplicationBootstrap,
  type OnModuleDestroy,
} from '@nestjs/common';
import {
  PACKAGE_CHUNK_BYTES,
  type AgentUpgradeStatus,
  type PackageFetch,
} from '../../../../libs/protocol/index.js';
import { AgentPackagesRepository } from '../agent-packages/agent-packages.repository.js';
import { AuditService } from '../audit/audit.service.js';
import { type AgentSession } from '../agents/agent-session.js';
import { AgentSessions } from '../agents/agent-sessions.js';
import { NodeIdentity } from '../cluster/node-identity.js';
import { EventBus } from '../common/event-bus.js';
import { deliveryIdOf, parseDeliveryId } from './delivery-id.js';
import { DispatchPasses } from './dispatch-passes.js';
import { ENTRY_STATE_OF, PackageRolloutsRepository } from './package-rollouts.repository.js';
import { PackageRolloutsActivity } from './package-rollouts-activity.js';
import { RolloutEntriesPresence } from './rollout-entries-presence.js';
import { RolloutTicker } from './rollout-ticker.js';
import { ROLLOUTS_CONFIG, type RolloutsConfig } from './rollouts.config.js';

/** Due upgrades read per pass: an upgrade is a ~0.4 MiB download per agent, so few at once per node. */
const BATCH = 200;

/**
 * Delivers agent packages for package rollouts (ADR 45) to the sessions this node holds: sends
 * `agent.upgrade` once per session and attempt, serves `package.fetch` from the stored archive, and
 * records `agent.upgrade.status` forwards only. Waves, thresholds and step timeouts are RolloutWaves'
 * as for profiles; an agent whose hello reports the rollout's version counts as upgraded.
 */
@Injectable()
export class PackageDispatcher implements OnApplicationBootstrap, OnModuleDestroy {
  private readonly logger = new Logger('rollouts');
  private timer: NodeJS.Timeout | undefined;
  private readonly passes = new DispatchPasses(
    () => this.pass(),
    (error) => this.logger.warn(`sending agent upgrades: ${error.message}`),
  );
  private readonly activity = new PackageRolloutsActivity(() => this.repo.anyUnfinished());

  constructor(
    private readonly repo: PackageRolloutsRepository,
    private readonly packages: AgentPackagesRepository,
    private readonly sessions: AgentSessions,
    private readonly node: NodeIdentity,
    private readonly ticker: RolloutTicker,
    private readonly events: EventBus,
    @Inject(ROLLOUTS_CONFIG) private readonly config: RolloutsConfig,
    private readonly entries: RolloutEntriesPresence,
    private readonly audit: AuditService,
  ) {}

  onApplicationBootstrap(): void {
    this.sessions.useUpgradeFrames((session, frame) =>
      frame.type === 'package.fetch' ? this.serve(session, frame) : this.record(session, frame),
    );
    this.events.on('rollout.changed', () => {
      this.activity.changed();
      this.kick();
    });
    this.timer = setInterval(() => this.kick(), this.config.tickMs);
    this.timer.unref();
  }

  async onModuleDestroy(): Promise<void> {
    clearInterval(this.timer);
    await this.passes.stop();
  }

  kick(): void {
    this.passes.kick();
  }

  private async pass(): Promise<void> {
    // No rollout entry at all: nothing is due. The due query walked every online agent of the node once a
    // tick even then (measured: 30 index probes per connection while 2,000 agents connected, ADR 52).
    if (!this.entries.mayExist()) return;
    // Entries, but no package rollout under way (e.g. only finished profile rollouts): nothing is due either.
    if (!(await this.activity.mayBeActive())) return;
    if ((await this.repo.reconcileVersions()).length > 0) this.ticker.soon();
    const failed: Array<{ rolloutId: string; agentId: string; attempt: number; reason: string }> = [];
    for (const due of await this.repo.due(this.node.id, BATCH)) {
      const session = this.sessions.session(due.agentId);
      if (!session?.open || session.id !== due.sessionId) continue;
      const attempt = await this.repo.markSent(due);
      if (attempt === undefined) continue;
      const result = this.sessions.tryDeliver(due.agentId, {
        type: 'agent.upgrade',
        deliveryId: deliveryIdOf(due.rolloutId, attempt),
        version: due.version,
        sha256: due.sha256,
        sizeBytes: due.sizeBytes,
        manifest: due.manifest,
        signature: due.centralSignature.toString('base64'),
      });
      if (!result.sent && result.reason !== undefined)
        failed.push({ rolloutId: due.rolloutId, agentId: due.agentId, attempt, reason: result.reason });
    }
    for (const f of failed)
      await this.repo.recordStatus(f.rolloutId, f.agentId, f.attempt, 'failed', f.reason);
    if (failed.length > 0) this.ticker.soon();
  }

  private async record(session: AgentSession, status: AgentUpgradeStatus): Promise<void> {
    const delivery = parseDeliveryId(status.deliveryId);
    if (!delivery) return;
    const state = ENTRY_STATE_OF[status.state];
    const reason = status.state === 'failed' ? (status.reason ?? 'failed without a reason') : null;
    if (status.state === 'failed')
      this.logger.warn(`agent ${session.agentId}: upgrade to ${status.version} failed: ${reason}`);
    const moved = await this.repo.recordStatus(
      delivery.rolloutId,
      session.agentId,
      delivery.attempt,
      state,
      reason,
    );
    if (moved) this.ticker.soon();
    // The agent's own refusal (bad signature, another platform, a version that did not come up): in the
    // audit log with the agent as the actor. Once per recorded attempt, so a replayed frame adds nothing.
    if (moved && status.state === 'failed')
      await this.audit.record(
        { username: `agent:${session.agentId}`, address: session.context.remoteAddress },
        'agent upgrade refused',
        'refused',
        session.agentId,
        { rolloutId: delivery.rolloutId, version: status.version, reason },
      );
  }

  private async serve(session: AgentSession, fetch: PackageFetch): Promise<void> {
    const length = Math.min(fetch.length, PACKAGE_CHUNK_BYTES);
    const slice = await this.packages.archiveSlice(fetch.sha256, fetch.offset, length);
    if (!slice || fetch.offset >= slice.totalBytes) {
      session.deliver({
        type: 'package.chunk',
        sha256: fetch.sha256,
        offset: fetch.offset,
        error: slice
          ? `offset ${fetch.offset} is past the end (${slice.totalBytes} bytes)`
          : 'no such package',
      });
      return;
    }
    session.deliver({
      type: 'package.chunk',
      sha256: fetch.sha256,
      offset: fetch.offset,
      totalBytes: slice.totalBytes,
      data: slice.data.toString('base64'),
    });
  }
}
