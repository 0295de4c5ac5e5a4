import { Injectable, Logger, type OnModuleDestroy } from '@nestjs/common';
import { CloseCode, transportSchema } from '../../../../libs/protocol/index.js';
import { AgentSessions } from '../agents/agent-sessions.js';
import { NodeIdentity } from '../cluster/node-identity.js';
import { NodeLease } from '../cluster/node-lease.js';
import { NodesRepository } from '../cluster/nodes.repository.js';
import { PeriodicTask } from '../common/periodic-task.js';
import { ListenerManager } from './listener-manager.js';

const BEAT_EVERY_MS = 5_000;

/** Publishes this node's liveness and what it really has bound, for GET /api/listeners and status truth. */
@Injectable()
export class NodeHeartbeat implements OnModuleDestroy {
  private readonly logger = new Logger('cluster');
  private readonly task = new PeriodicTask(BEAT_EVERY_MS, () => this.beat());
  private beaten = false;
  /** One beat at a time, and none once shutdown began: a late beat would write back the row shutdown removed. */
  private inFlight: Promise<void> | undefined;
  private stopping = false;
  private pruning: Promise<void> | undefined;

  constructor(
    private readonly node: NodeIdentity,
    private readonly nodes: NodesRepository,
    private readonly listeners: ListenerManager,
    private readonly lease: NodeLease,
    private readonly sessions: AgentSessions,
  ) {}

  async start(): Promise<void> {
    // The lease comes first, so the row the other nodes read already names it (ADR 34).
    await this.lease.start();
    this.lease.onRegained(() => void this.beat());
    await this.beat();
    this.task.start();
  }

  beat(): Promise<void> {
    if (this.stopping) return Promise.resolve();
    this.inFlight ??= this.beatOnce().finally(() => (this.inFlight = undefined));
    return this.inFlight;
  }

  private async beatOnce(): Promise<void> {
    try {
      const created = await this.nodes.upsert(
        this.node.id,
        this.node.name,
        this.listeners.bound(),
        this.lease.heldKey,
        this.listeners.failures(),
        this.lease.connection(),
      );
      if (created && this.beaten) this.declaredDead();
      this.beaten = true;
    } catch (error) {
      this.logger.warn(`node heartbeat failed: ${(error as Error).message}`);
    }
    this.pruneAside();
  }

  /** Pruning uses the pool: it runs beside the beats, so a busy pool never holds the next beat back. */
  private pruneAside(): void {
    this.pruning ??= this.nodes
      .pruneDead()
      .catch((error: Error) => this.logger.warn(`pruning dead nodes failed: ${error.message}`))
      .finally(() => (this.pruning = undefined));
  }

  async onModuleDestroy(): Promise<void> {
    this.stopping = true;
    await this.task.stop();
    await this.inFlight;
    await this.pruning;
    await this.nodes.remove(this.node.id).catch(() => undefined);
  }

  /**
   * Another node took this one for dead (its lease connection was down too long) and marked its agents
   * disconnected. Their sessions are closed so they reconnect, to any node, and are shown online again
   * by a true write instead of staying shown disconnected while connected.
   */
  private declaredDead(): void {
    let closed = 0;
    for (const transport of transportSchema.options)
      closed += this.sessions.closeTransport(
        transport,
        CloseCode.GOING_AWAY,
        'central node lost its database lease; reconnect',
      );
    this.logger.warn(
      `another node declared this node dead (its row was gone); closed ${closed} agent session(s) so they reconnect`,
    );
  }
}
