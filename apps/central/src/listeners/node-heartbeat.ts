import { Injectable, Logger, type OnModuleDestroy } from '@nestjs/common';
import { NodeIdentity } from '../cluster/node-identity.js';
import { NodesRepository } from '../cluster/nodes.repository.js';
import { ListenerManager } from './listener-manager.js';

const BEAT_EVERY_MS = 5_000;

/** Publishes this node's liveness and what it really has bound, for GET /api/listeners and status truth. */
@Injectable()
export class NodeHeartbeat implements OnModuleDestroy {
  private readonly logger = new Logger('cluster');
  private timer: NodeJS.Timeout | undefined;

  constructor(
    private readonly node: NodeIdentity,
    private readonly nodes: NodesRepository,
    private readonly listeners: ListenerManager,
  ) {}

  async start(): Promise<void> {
    await this.beat();
    this.timer = setInterval(() => void this.beat(), BEAT_EVERY_MS);
  }

  async beat(): Promise<void> {
    try {
      await this.nodes.upsert(
        this.node.id,
        this.node.name,
        this.listeners.bound(),
        this.listeners.failures(),
      );
      await this.nodes.pruneDead();
    } catch (error) {
      this.logger.warn(`node heartbeat failed: ${(error as Error).message}`);
    }
  }

  async onModuleDestroy(): Promise<void> {
    clearInterval(this.timer);
    await this.nodes.remove(this.node.id).catch(() => undefined);
  }
}
