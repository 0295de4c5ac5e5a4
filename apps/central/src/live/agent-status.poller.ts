import { Injectable } from '@nestjs/common';
import { AgentsService } from '../agents/agents.service.js';
import { type AgentView } from '../agents/agents.repository.js';
import { EventBus } from '../common/event-bus.js';
import { WatchedPoller } from './watched-poller.js';

const PAGE = 10_000;

/** Announces on the EventBus the agents whose visible status changed since the last poll. */
@Injectable()
export class AgentStatusPoller extends WatchedPoller {
  protected readonly what = 'agent status';
  private known = new Map<string, string>();

  constructor(
    private readonly agents: AgentsService,
    private readonly bus: EventBus,
  ) {
    super();
  }

  protected reset(): void {
    this.known = new Map();
  }

  protected async poll(baseline: boolean): Promise<void> {
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
    if (!baseline && (changed.length > 0 || removed.length > 0) && this.watched) {
      this.bus.emit('agents.status.changed', { agents: changed, removed });
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
