import { Injectable } from '@nestjs/common';
import { AgentTrustRepository } from '../agents/agent-trust.repository.js';
import { type AgentView } from '../agents/agents.repository.js';
import { EventBus } from '../common/event-bus.js';
import { AgentStatusChangesQuery } from '../agents/agent-status-changes.query.js';
import { WatchedPoller } from './watched-poller.js';

/**
 * Announces on the EventBus the agents whose visible status changed since the last poll. It reads what
 * changed, not every agent every second (issue 15: at 10,000 agents that was 10,000 rows parsed and
 * compared each second while a browser watched): rows written since the last read, the online agents of
 * nodes whose liveness changed (their status is computed from it), and all ids only when some agent was
 * deleted.
 */
@Injectable()
export class AgentStatusPoller extends WatchedPoller {
  protected readonly what = 'agent status';
  private known = new Map<string, string>();
  private nodes = new Map<string, string>();
  private since: string | undefined;

  constructor(
    private readonly repo: AgentStatusChangesQuery,
    private readonly trust: AgentTrustRepository,
    private readonly bus: EventBus,
  ) {
    super();
  }

  protected reset(): void {
    this.known = new Map();
    this.nodes = new Map();
    this.since = undefined;
  }

  protected async poll(baseline: boolean): Promise<void> {
    const nodes = await this.repo.nodeLiveness();
    const movedNodes = [...new Set([...nodes.keys(), ...this.nodes.keys()])].filter(
      (id) => nodes.get(id) !== this.nodes.get(id),
    );
    const read = await this.repo.changes(this.since, this.since === undefined ? [] : movedNodes);
    const changed: Array<{ row: AgentView; print: string }> = [];
    for (const row of read.rows) {
      const print = fingerprint(row);
      if (this.known.get(row.id) !== print) changed.push({ row, print });
    }
    const removed: string[] = [];
    if (this.since === undefined) {
      const seen = new Set(read.rows.map((r) => r.id));
      for (const id of this.known.keys()) if (!seen.has(id)) removed.push(id);
    } else if (this.known.size + changed.filter((c) => !this.known.has(c.row.id)).length > read.total) {
      // Every row written since the last read is in hand: more agents known than exist means deletions.
      const ids = await this.repo.ids();
      for (const id of this.known.keys()) if (!ids.has(id)) removed.push(id);
    }
    const announce = !baseline && (changed.length > 0 || removed.length > 0) && this.watched;
    const agents = announce ? await this.withTrust(changed.map((c) => c.row)) : [];
    // Taken in only now: a poll that failed on the way reads the same changes again.
    for (const { row, print } of changed) this.known.set(row.id, print);
    for (const id of removed) this.known.delete(id);
    this.nodes = nodes;
    this.since = read.since;
    if (announce) this.bus.emit('agents.status.changed', { agents, removed });
  }

  /** The rows as `GET /api/agents` shows them (with the agent's reported trust anchors). */
  private async withTrust(agents: AgentView[]): Promise<Array<{ id: string }>> {
    const reports = await this.trust.findMany(agents.map((a) => a.id));
    return agents.map((a) => {
      const report = reports.get(a.id);
      return { ...a, trustAnchors: report?.anchors ?? null, trustReportedAt: report?.reportedAt ?? null };
    });
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
