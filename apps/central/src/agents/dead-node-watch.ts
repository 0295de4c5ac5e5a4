import { Injectable, Logger, type OnModuleDestroy, type OnModuleInit } from '@nestjs/common';
import { NodeIdentity } from '../cluster/node-identity.js';
import { PeriodicTask } from '../common/periodic-task.js';
import { NodeLease } from '../cluster/node-lease.js';
import { NodesRepository } from '../cluster/nodes.repository.js';
import { DeadNodeSessionsRepository } from './dead-node-sessions.repository.js';

/** How often the other nodes' leases are checked. */
const CHECK_EVERY_MS = 1_000;
/**
 * This node judges others only after holding its own lease this long: after a PostgreSQL restart every
 * node takes its lease again within a second or so, and the first one back must not reap the others.
 */
const OWN_LEASE_TRUSTED_AFTER_MS = 3_000;

/**
 * Finds nodes whose lease PostgreSQL released (their process died, ADR 34) and marks their agents
 * disconnected at once. A node is declared dead when its lease is found free at two checks in a row, so
 * a lease connection that drops and is taken again within a second costs nothing.
 */
@Injectable()
export class DeadNodeWatch implements OnModuleInit, OnModuleDestroy {
  private readonly logger = new Logger('agents');
  private readonly task = new PeriodicTask(CHECK_EVERY_MS, () => this.check());
  private suspects = new Set<string>();
  private checking = false;

  constructor(
    private readonly deadSessions: DeadNodeSessionsRepository,
    private readonly nodes: NodesRepository,
    private readonly lease: NodeLease,
    private readonly node: NodeIdentity,
  ) {}

  onModuleInit(): void {
    this.task.start();
  }

  onModuleDestroy(): Promise<void> {
    return this.task.stop();
  }

  async check(): Promise<void> {
    if (this.checking) return;
    this.checking = true;
    try {
      if (this.lease.heldForMs() < OWN_LEASE_TRUSTED_AFTER_MS) {
        this.suspects.clear();
        return;
      }
      const released = await this.nodes.withReleasedLease(this.node.id);
      const confirmed = released.filter((id) => this.suspects.has(id));
      this.suspects = new Set(released.filter((id) => !confirmed.includes(id)));
      for (const id of confirmed) {
        const marked = await this.deadSessions.mark(id);
        this.logger.log(
          `central node ${id} is gone (its lease was released): ${marked} agent(s) marked disconnected`,
        );
      }
    } catch (error) {
      this.logger.warn(`dead node check failed: ${(error as Error).message}`);
    } finally {
      this.checking = false;
    }
  }
}
