import { Inject, Injectable, Logger, type OnModuleDestroy, type OnModuleInit } from '@nestjs/common';
import { NodeIdentity } from '../cluster/node-identity.js';
import { NodesRepository } from '../cluster/nodes.repository.js';
import { deadIncarnations } from '../cluster/previous-incarnations.js';
import { CENTRAL_CONFIG, type CentralConfig } from '../config/central-config.js';
import { AgentsRepository } from './agents.repository.js';
import { DeadNodeSessionsRepository } from './dead-node-sessions.repository.js';
import { PeriodicTask } from '../common/periodic-task.js';

const SWEEP_EVERY_MS = 10_000;

/**
 * Rewrites the stored status of agents left "online" by a node that died without saying so
 * (the read-time view already shows them disconnected). A node that still holds its lease is alive,
 * however late its heartbeat (NodesRepository.silentWithoutLease). A node declared dead here loses its
 * row: should it be alive after all, its next heartbeat creates the row again and it closes its
 * sessions (node-heartbeat.ts), so its agents come back with a true status. Idempotent, so no lock.
 */
@Injectable()
export class AgentSweeper implements OnModuleInit, OnModuleDestroy {
  private readonly logger = new Logger('agents');
  private task: PeriodicTask | undefined;

  constructor(
    private readonly repo: AgentsRepository,
    private readonly deadSessions: DeadNodeSessionsRepository,
    private readonly nodes: NodesRepository,
    private readonly node: NodeIdentity,
    @Inject(CENTRAL_CONFIG) private readonly config: CentralConfig,
  ) {}

  async onModuleInit(): Promise<void> {
    await this.reapPreviousIncarnations();
    this.task = new PeriodicTask(SWEEP_EVERY_MS, () => this.sweep()).start();
  }

  /** After a crash and restart, the agents the dead process held are shown disconnected at once. */
  async reapPreviousIncarnations(): Promise<void> {
    const dead = deadIncarnations(await this.nodes.list(), this.node, this.config.nodeName !== undefined);
    for (const n of dead) {
      const count = await this.repo.markNodeSessionsDisconnected(n.id, 'last-heartbeat');
      await this.nodes.remove(n.id);
      this.logger.log(
        `previous run ${n.id} of this node is gone: ${count} of its agent(s) marked disconnected`,
      );
    }
  }

  async onModuleDestroy(): Promise<void> {
    await this.task?.stop();
  }

  async sweep(): Promise<void> {
    try {
      for (const id of await this.nodes.silentWithoutLease(this.node.id)) {
        const marked = await this.deadSessions.mark(id);
        this.logger.warn(`central node ${id} stopped beating: ${marked} agent(s) marked disconnected`);
      }
      const n = await this.repo.sweepOrphans();
      if (n > 0) this.logger.log(`${n} agent(s) of stopped central nodes marked disconnected`);
    } catch (error) {
      this.logger.warn(`sweep failed: ${(error as Error).message}`);
    }
  }
}
