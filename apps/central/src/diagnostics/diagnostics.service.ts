import { Injectable } from '@nestjs/common';
import { randomUUID } from 'node:crypto';
import { DIAGNOSTICS_CAPABILITY } from '../../../../libs/protocol/index.js';
import { FleetAgentsRepository } from '../agents/fleet-agents.repository.js';
import { AuditService } from '../audit/audit.service.js';
import { ClusterBus } from '../cluster/cluster-bus.js';
import { DomainError } from '../common/domain-error.js';
import { type Actor } from '../common/request-context.js';
import {
  DiagnosticsRepository,
  type AgentFacts,
  type DiagnosticBundleView,
} from './diagnostics.repository.js';

import { MAX_AGENTS_PER_REQUEST } from '../../../../libs/api/diagnostics.js';
/** Central asks for bundles of at most this size (ADR 44): a log tail of 256 KiB and a few small files. */
export const BUNDLE_MAX_BYTES = 1024 * 1024;
/** Requests per cluster event: ~200 bytes each at worst (128-character agent ids). */
const NOTIFY_BATCH = 30;

export interface DiagnosticsRequestInput {
  agentIds?: string[];
  group?: string;
  timeoutSeconds: number;
}

export interface DiagnosticsRequestAnswer {
  requested: DiagnosticBundleView[];
  /** Agents not asked, each with the reason (offline, cannot send bundles, unknown, …). */
  refused: Array<{ agentId: string; reason: string }>;
}

/**
 * Diagnostics bundles (issue 17 point 4, ADR 44): asks online agents for a bundle (the node holding each
 * session sends the request: `diagnostics.requested` on the cluster bus), lists the requests, serves
 * the bundles received. Offline agents are refused with the reason, not queued.
 */
@Injectable()
export class DiagnosticsService {
  constructor(
    private readonly repo: DiagnosticsRepository,
    private readonly bus: ClusterBus,
    private readonly audit: AuditService,
    private readonly agents: FleetAgentsRepository,
  ) {}

  /** The agents asked for (by ids or group) as the agents domain sees them, with any request still waiting. */
  private async agentFacts(
    ids: string[] | undefined,
    group: string | undefined,
    limit: number,
  ): Promise<AgentFacts[]> {
    const agents = await this.agents.selected({ ids, group, limit });
    const waiting = await this.repo.waitingRequests(agents.map((a) => a.id));
    return agents.map((a) => ({ ...a, waitingRequestId: waiting.get(a.id) ?? null }));
  }

  async request(input: DiagnosticsRequestInput, actor: Actor): Promise<DiagnosticsRequestAnswer> {
    const facts = await this.agentFacts(input.agentIds, input.group, MAX_AGENTS_PER_REQUEST + 1);
    if (facts.length > MAX_AGENTS_PER_REQUEST) {
      throw new DomainError(
        'diagnostics_selection_too_large',
        `group ${input.group} has more than ${MAX_AGENTS_PER_REQUEST} agents: ask for a smaller selection`,
      );
    }
    const known = new Set(facts.map((f) => f.id));
    const refused = (input.agentIds ?? [])
      .filter((id) => !known.has(id))
      .map((agentId) => ({ agentId, reason: 'no such agent' }));
    const eligible: string[] = [];
    for (const agent of facts) {
      const reason = refusalOf(agent);
      if (reason) refused.push({ agentId: agent.id, reason });
      else eligible.push(agent.id);
    }
    const requested =
      eligible.length === 0
        ? []
        : await this.repo.insertRequested(
            eligible.map((agentId) => ({ id: randomUUID(), agentId })),
            actor.username,
            BUNDLE_MAX_BYTES,
            input.timeoutSeconds,
          );
    // A NOTIFY payload must stay under 8000 bytes: a few dozen requests per event.
    for (let i = 0; i < requested.length; i += NOTIFY_BATCH) {
      await this.bus.publish('diagnostics.requested', {
        requests: requested
          .slice(i, i + NOTIFY_BATCH)
          .map((r) => ({ id: r.id, agentId: r.agentId, maxBytes: r.maxBytes })),
      });
    }
    const target =
      requested.length + refused.length === 1
        ? (requested[0]?.agentId ?? refused[0]!.agentId)
        : `${requested.length + refused.length} agents`;
    await this.audit.record(
      actor,
      'diagnostics requested',
      requested.length > 0 ? 'success' : 'refused',
      target,
      {
        ...(input.group ? { group: input.group } : {}),
        requests: requested.map((r) => ({ agentId: r.agentId, requestId: r.id })),
        refused,
      },
    );
    return { requested, refused };
  }

  list(filter: { agentId?: string; limit: number }): Promise<DiagnosticBundleView[]> {
    return this.repo.list(filter);
  }

  async get(id: string): Promise<DiagnosticBundleView> {
    const bundle = await this.repo.find(id);
    if (!bundle) throw new DomainError('diagnostics_request_not_found', `no diagnostics request ${id}`);
    return bundle;
  }

  async download(id: string): Promise<{ bundle: DiagnosticBundleView; content: Buffer }> {
    const bundle = await this.get(id);
    const content = bundle.state === 'received' ? await this.repo.content(id) : undefined;
    if (!content) {
      throw new DomainError(
        bundle.state === 'failed' ? 'diagnostics_request_failed' : 'diagnostics_bundle_not_ready',
        bundle.state === 'failed'
          ? `diagnostics request ${id} failed: ${bundle.reason ?? 'no reason recorded'}`
          : `the bundle of diagnostics request ${id} has not arrived yet`,
        { state: bundle.state },
      );
    }
    return { bundle, content };
  }
}

/** Why an agent is not asked, or undefined when it is. */
function refusalOf(agent: AgentFacts): string | undefined {
  if (agent.revoked) return 'the agent is revoked';
  if (agent.status !== 'online') {
    return `the agent is ${agent.status.replace('_', ' ')}: bundles are asked of online agents only; ask again once it is online`;
  }
  if (!agent.capabilities.includes(DIAGNOSTICS_CAPABILITY)) {
    return `the agent cannot send diagnostics (its version does not report the "${DIAGNOSTICS_CAPABILITY}" capability): upgrade it`;
  }
  if (agent.waitingRequestId) {
    return `a bundle is being collected already (request ${agent.waitingRequestId})`;
  }
  return undefined;
}
