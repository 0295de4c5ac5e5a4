import { Injectable, Logger, type OnModuleDestroy } from '@nestjs/common';
import { AgentsService } from '../agents/agents.service.js';
import { type AgentView } from '../agents/agents.repository.js';
import { EventBus } from '../common/event-bus.js';

const PAGE = 10_000;
/** One second keeps the UI live without loading the database. */
const INTERVAL_MS = 1000;

/**
 * Reads every agent's status once a second while someone watches, and announces the rows that
 * changed on the EventBus. Reading the database (not this node's sessions) sees every node's agents,
 * so it is right in a cluster without any extra coordination.
 */
@Injectable()
export class AgentStatusPoller implements OnModuleDestroy {
  private readonly logger = new Logger('live');
  private timer: NodeJS.Timeout | undefined;
  private running = false;
  private known = new Map<string, string>();
  private watchers = 0;

  constructor(
    private readonly agents: AgentsService,
    private readonly bus: EventBus,
  ) {}

  watch(): void {
    this.watchers += 1;
    if (this.watchers === 1) {
      this.known = new Map();
      void this.tick(true);
      this.timer = setInterval(() => void this.tick(false), INTERVAL_MS);
    }
  }

  unwatch(): void {
    this.watchers = Math.max(0, this.watchers - 1);
    if (this.watchers === 0) this.stop();
  }

  onModuleDestroy(): void {
    this.stop();
  }

  private stop(): void {
    clearInterval(this.timer);
    this.timer = undefined;
  }

  private async tick(baseline: boolean): Promise<void> {
    if (this.running) return; // a slow database: skip a beat rather than pile up queries
    this.running = true;
    try {
      const rows = await this.readAll();
      const changed: AgentView[] = [];
      const seen = new Set<string>();
      for (const row of rows) {
        seen.add(row.id);
        const print = fingerprint(row);
        if (this.known.get(row.id) !== print) {
          this.known.set(row.id, print);
          changed.push(row);
        }
      }
      const removed = [...this.known.keys()].filter((id) => !seen.has(id));
      for (const id of removed) this.known.delete(id);
      if (!baseline && (changed.length > 0 || removed.length > 0) && this.timer) {
        this.bus.emit('agents.status.changed', { agents: changed, removed });
      }
    } catch (error) {
      this.logger.warn(`cannot read agent status: ${(error as Error).message}`);
    } finally {
      this.running = false;
    }
  }

  private async readAll(): Promise<AgentView[]> {
    const all: AgentView[] = [];
    for (let offset = 0; ; offset += PAGE) {
      const page = await this.agents.list({ limit: PAGE, offset });
      all.push(...page);
      if (page.length < PAGE) return all;
    }
  }
}

/**
 * What an operator would notice. `lastSeenAt` of an online agent moves at every heartbeat: left out,
 * or thousands of agents would flood the socket with rows whose visible state did not change.
 */
function fingerprint(a: AgentView): string {
  return JSON.stringify([
    a.status,
    a.transport,
    a.agentVersion,
    a.profileSha256,
    a.nodeId,
    a.revokedAt,
    a.connectedAt,
    a.status === 'online' ? null : a.lastSeenAt,
    a.capabilities,
  ]);
}
