import { Injectable } from '@nestjs/common';
import { AuditService } from '../audit/audit.service.js';
import { requestAudit } from '../audit/request-audit.context.js';
import { ClusterBus } from '../cluster/cluster-bus.js';
import { DomainError, ValidationError } from '../common/domain-error.js';
import { type Actor } from '../common/request-context.js';
import { BULK_MAX_AGENTS, describeFilter, type AgentSelection } from './agent-filter.js';
import { type MatchedAgent, type Queryable } from './agent-selection.query.js';
import { MAX_ADMIN_GROUPS } from '../../../../libs/api/agents.js';
import {
  NO_EXEMPTIONS,
  NO_ROLLOUT_RETRY,
  type BulkExemptionsPort,
  type BulkRolloutRetryPort,
} from './bulk-action.ports.js';
import { BulkActionsRepository } from './bulk-actions.repository.js';

/** Ids kept per skip reason in an answer, and changed ids kept in the audit record. */
const SAMPLE = 20;
const AUDIT_IDS = 100;

export type BulkAction =
  | { action: 'exempt'; reason: string; expiresAt: Date }
  | { action: 'unexempt' }
  | { action: 'revoke' }
  | { action: 'delete' }
  | { action: 'groups'; mode: 'set' | 'add' | 'remove'; groups: string[] }
  | { action: 'retry'; rolloutId: string };

export interface BulkSkip {
  reason: string;
  count: number;
  /** The first few of them. */
  agentIds: string[];
}

export interface BulkResult {
  action: BulkAction['action'];
  dryRun: boolean;
  /** What was asked for, in words ("1000 agent ids", "status offline, last seen over 30 days ago"). */
  selection: string;
  matched: number;
  changed: number;
  skipped: BulkSkip[];
}

interface Outcome {
  matched: MatchedAgent[];
  changed: string[];
  skipped: Map<string, string[]>;
}

const VERBS: Record<string, string> = {
  exempt: 'exempt from the migration gate',
  unexempt: 'remove migration exemptions of',
  revoke: 'revoke',
  delete: 'delete',
  'groups.set': 'set the groups of',
  'groups.add': 'add groups to',
  'groups.remove': 'remove groups from',
  retry: 'retry in a rollout',
};

/**
 * Bulk actions on a selection of agents (ADR 40): matched, changed and skipped with reasons, all in one
 * transaction, one audit record per action. A dry run does the same work and rolls it back, so its
 * counts are exactly what the action would do at that moment.
 */
@Injectable()
export class BulkActionsService {
  private exemptions: BulkExemptionsPort = NO_EXEMPTIONS;
  private rollouts: BulkRolloutRetryPort = NO_ROLLOUT_RETRY;

  constructor(
    private readonly repo: BulkActionsRepository,
    private readonly cluster: ClusterBus,
    private readonly audit: AuditService,
  ) {}

  /** The migration registers how exemptions are written (agents never import it). */
  useExemptions(port: BulkExemptionsPort): void {
    this.exemptions = port;
  }

  /** Rollouts registers how agents are retried in a rollout (agents never import it). */
  useRolloutRetry(port: BulkRolloutRetryPort): void {
    this.rollouts = port;
  }

  async run(
    action: BulkAction,
    selection: AgentSelection,
    /** `selectionWords`: how the caller chose the ids ("stranded because offline"), for the answer and audit. */
    options: { dryRun: boolean; selectionWords?: string },
    actor: Pick<Actor, 'username' | 'address'>,
  ): Promise<BulkResult> {
    if (action.action === 'exempt' && action.expiresAt.getTime() <= Date.now())
      throw new ValidationError([{ field: 'expiresAt', message: 'must be in the future' }]);
    const outcome = await this.repo.inTransaction(
      () => !options.dryRun,
      (q) => this.apply(q, action, selection, actor.username),
    );
    const result: BulkResult = {
      action: action.action,
      dryRun: options.dryRun,
      selection:
        options.selectionWords ??
        ('ids' in selection ? `${selection.ids.length} agent id(s)` : describeFilter(selection.filter)),
      matched: outcome.matched.length,
      changed: outcome.changed.length,
      skipped: [...outcome.skipped].map(([reason, ids]) => ({
        reason,
        count: ids.length,
        agentIds: ids.slice(0, SAMPLE),
      })),
    };
    const request = requestAudit.getStore();
    if (options.dryRun) {
      // A preview changes nothing: there is nothing to audit, not even the route.
      if (request) request.recorded = true;
      return result;
    }
    await this.announce(action, outcome.changed);
    await this.audit.record(actor, auditAction(action, result.changed), 'success', null, {
      selection: 'ids' in selection ? { ids: selection.ids.length } : { filter: selection.filter },
      ...(options.selectionWords ? { chosenAs: options.selectionWords } : {}),
      ...paramsOf(action),
      matched: result.matched,
      changed: result.changed,
      skipped: result.skipped.map((s) => ({ reason: s.reason, count: s.count })),
      agentIds: outcome.changed.slice(0, AUDIT_IDS),
      ...(outcome.changed.length > AUDIT_IDS ? { moreAgents: outcome.changed.length - AUDIT_IDS } : {}),
    });
    return result;
  }

  private async apply(
    q: Queryable,
    action: BulkAction,
    selection: AgentSelection,
    actor: string,
  ): Promise<Outcome> {
    const matched = await this.repo.match(q, selection, BULK_MAX_AGENTS + 1);
    if (matched.length > BULK_MAX_AGENTS)
      throw new ValidationError([
        {
          field: 'filter',
          message: `matches more than ${BULK_MAX_AGENTS} agents, the most one action takes: narrow the filter`,
        },
      ]);
    const skipped = new Map<string, string[]>();
    const skip = (reason: string, id: string) => {
      const list = skipped.get(reason);
      if (list) list.push(id);
      else skipped.set(reason, [id]);
    };
    if ('ids' in selection) {
      const known = new Set(matched.map((m) => m.id));
      for (const id of selection.ids) if (!known.has(id)) skip('no such agent', id);
    }
    const active = matched.filter((m) => !m.revoked);
    const all = matched.map((m) => m.id);
    let changed: string[] = [];
    switch (action.action) {
      case 'exempt':
        for (const m of matched) if (m.revoked) skip('revoked', m.id);
        changed = await this.exemptions.exempt(
          q,
          active.map((m) => m.id),
          { reason: action.reason, expiresAt: action.expiresAt, createdBy: actor },
        );
        break;
      case 'unexempt':
        changed = await this.exemptions.unexempt(q, all);
        skipRest(matched, changed, () => 'not exempt', skip);
        break;
      case 'revoke':
        for (const m of matched) if (m.revoked) skip('already revoked', m.id);
        changed = await this.repo.revoke(
          q,
          active.map((m) => m.id),
        );
        break;
      case 'delete': {
        const online = matched.filter((m) => m.status === 'online');
        for (const m of online) skip('online now: revoke it first (that closes its session)', m.id);
        changed = await this.repo.delete(
          q,
          matched.filter((m) => m.status !== 'online').map((m) => m.id),
        );
        break;
      }
      case 'groups':
        changed = await this.repo.groups(q, all, action.mode, action.groups, MAX_ADMIN_GROUPS);
        skipRest(
          matched,
          changed,
          (m) =>
            action.mode === 'add' && new Set([...m.adminGroups, ...action.groups]).size > MAX_ADMIN_GROUPS
              ? `would have more than ${MAX_ADMIN_GROUPS} groups`
              : 'groups already so',
          skip,
        );
        break;
      case 'retry': {
        const state = await this.rollouts.lockState(q, action.rolloutId);
        const retryFrom = this.rollouts.retryFrom;
        if (!state) throw new DomainError('rollout_not_found', `no rollout ${action.rolloutId}`);
        if (!retryFrom.includes(state))
          throw new DomainError(
            'rollout_already_finished',
            `rollout ${action.rolloutId} is ${state}: agents can be retried while it is ${retryFrom.join(', ')}`,
            { state },
          );
        const entries = await this.rollouts.entryStates(q, action.rolloutId, all);
        changed = await this.rollouts.retry(q, action.rolloutId, all);
        skipRest(
          matched,
          changed,
          (m) =>
            entries.has(m.id)
              ? `${entries.get(m.id)} in this rollout, not failed or stale`
              : 'not targeted by this rollout',
          skip,
        );
        break;
      }
    }
    return { matched, changed, skipped };
  }

  /** Tells every node: revoked and deleted agents lose their cached credential and their session. */
  private async announce(action: BulkAction, changed: string[]): Promise<void> {
    if (changed.length === 0) return;
    if (action.action === 'revoke' || action.action === 'delete')
      await this.cluster.publishMany(
        'agent.revoked',
        changed.map((agentId) => ({ agentId })),
      );
    if (action.action === 'retry')
      await this.cluster.publish('rollout.changed', { rolloutId: action.rolloutId });
  }
}

function skipRest(
  matched: MatchedAgent[],
  changed: string[],
  why: (m: MatchedAgent) => string,
  skip: (reason: string, id: string) => void,
): void {
  const done = new Set(changed);
  for (const m of matched) if (!done.has(m.id)) skip(why(m), m.id);
}

/** "bulk revoke: 1000 agents": the audit log's one line for the action, with its count. */
export function auditAction(action: BulkAction, changed: number): string {
  const key = action.action === 'groups' ? `groups.${action.mode}` : action.action;
  return `bulk ${VERBS[key]}: ${changed} ${changed === 1 ? 'agent' : 'agents'}`;
}

function paramsOf(action: BulkAction): Record<string, unknown> {
  switch (action.action) {
    case 'exempt':
      return { reason: action.reason, expiresAt: action.expiresAt.toISOString() };
    case 'groups':
      return { mode: action.mode, groups: action.groups };
    case 'retry':
      return { rolloutId: action.rolloutId };
    default:
      return {};
  }
}
