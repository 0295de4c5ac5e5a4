import { Injectable, Logger, type OnModuleDestroy, type OnModuleInit } from '@nestjs/common';
import { AgentsRepository } from './agents.repository.js';

const SWEEP_EVERY_MS = 10_000;

/**
 * Rewrites the stored status of agents left "online" by a node that died without saying so
 * (the read-time view already shows them disconnected). Idempotent, so no lock is needed.
 */
@Injectable()
export class AgentSweeper implements OnModuleInit, OnModuleDestroy {
  private readonly logger = new Logger('agents');
  private timer: NodeJS.Timeout | undefined;

  constructor(private readonly repo: AgentsRepository) {}

  onModuleInit(): void {
    this.timer = setInterval(() => void this.sweep(), SWEEP_EVERY_MS);
  }

  onModuleDestroy(): void {
    clearInterval(this.timer);
  }

  async sweep(): Promise<void> {
    try {
      const n = await this.repo.sweepDeadNodes();
      if (n > 0) this.logger.log(`${n} agent(s) of stopped central nodes marked disconnected`);
    } catch (error) {
      this.logger.warn(`sweep failed: ${(error as Error).message}`);
    }
  }
}
