import { Injectable } from '@nestjs/common';
import { FleetAgentsRepository } from '../agents/fleet-agents.repository.js';
import { ClusterBus } from '../cluster/cluster-bus.js';
import { DomainError } from '../common/domain-error.js';
import { type RolloutErrorCode } from '../../../../libs/api/errors/rollouts.js';
import { type CreateRolloutRequest, DEFAULT_AGENTS_PAGE } from '../../../../libs/api/rollout-requests.js';
import { goalOf, type RolloutAgentState } from './rollout-agent-state.js';
import { type Rollout, type RolloutAgentView, type RolloutState } from './rollout.types.js';
import { type AgentsPage, RolloutsRepository, type WaveStateCount } from './rollouts.repository.js';
import { RolloutPlanner } from './rollout-plan.js';

export interface WaveView {
  wave: number;
  size: number;
  /** Entries per state. */
  states: Partial<Record<RolloutAgentState, number>>;
  /** Entries that count for the success threshold (all but needs_upgrade and cancelled), and those done. */
  eligible: number;
  done: number;
}

export interface RolloutSummary extends Rollout {
  states: Partial<Record<RolloutAgentState, number>>;
  waveProgress: WaveView[];
  /** Every target agent, whatever its state. */
  targetCount: number;
}

export interface RolloutDetail extends RolloutSummary {
  /** One page of the targets (by wave, then id), only those in the asked states if any were. */
  agents: RolloutAgentView[];
  /** How many targets match the asked states (all targets when none were asked): what the pages add up to. */
  agentsTotal: number;
}

const FIRST_PAGE: AgentsPage = { limit: DEFAULT_AGENTS_PAGE, offset: 0 };

export type RolloutAction = 'pause' | 'resume' | 'approve' | 'cancel' | 'retry-failed';

// Which rollout states each action starts from.
const ACTION_FROM: Record<RolloutAction, RolloutState[]> = {
  pause: ['running', 'awaiting_approval'],
  resume: ['paused'],
  approve: ['awaiting_approval'],
  cancel: ['running', 'paused', 'awaiting_approval', 'halted'],
  'retry-failed': ['running', 'paused', 'awaiting_approval', 'halted', 'completed'],
};

// The code of each action's refusal from any other state (libs/api/errors/rollouts.ts).
const ACTION_REFUSAL: Record<RolloutAction, RolloutErrorCode> = {
  pause: 'rollout_not_running',
  resume: 'rollout_not_paused',
  approve: 'rollout_not_awaiting_approval',
  cancel: 'rollout_already_finished',
  'retry-failed': 'rollout_already_finished',
};

/** Creating rollouts, reading their progress, and the operator's actions on them. */
@Injectable()
export class RolloutsService {
  constructor(
    private readonly repo: RolloutsRepository,
    private readonly cluster: ClusterBus,
    private readonly planner: RolloutPlanner,
    private readonly agents: FleetAgentsRepository,
  ) {}

  async create(input: CreateRolloutRequest, actor: string): Promise<RolloutDetail> {
    const { sizes, order, seed, entries } = await this.planner.plan(input);
    const { id } = await this.repo.insert({
      profile: input.profile,
      revision: input.revision,
      mode: input.mode,
      targets: input.targets,
      waves: { requested: input.waves, sizes, order, ...(seed === undefined ? {} : { seed }) },
      waveCount: sizes.length,
      successThresholdPercent: input.successThresholdPercent,
      pauseBetweenWaves: input.pauseBetweenWaves,
      errorThreshold: input.errorThreshold,
      stepTimeoutSeconds: input.stepTimeoutSeconds,
      createdBy: actor,
      entries,
    });
    await this.cluster.publish('rollout.changed', { rolloutId: id });
    return this.get(id);
  }

  list(limit: number, offset: number): Promise<Rollout[]> {
    return this.repo.list(limit, offset);
  }

  /** The rollout with its progress and one page of its agents (the first 100 unless asked otherwise). */
  async get(id: string, page: AgentsPage = FIRST_PAGE): Promise<RolloutDetail> {
    const [summary, agents] = await Promise.all([this.summary(id), this.agentsPage(id, page)]);
    return withPage(summary, agents, page);
  }

  /** A summary already read, with one page of its agents. */
  async withAgents(summary: RolloutSummary, page: AgentsPage): Promise<RolloutDetail> {
    return withPage(summary, await this.agentsPage(summary.id, page), page);
  }

  /** One page of the rollout's entries with each agent's connection (the agents domain answers it). */
  private async agentsPage(id: string, page: AgentsPage): Promise<RolloutAgentView[]> {
    const entries = await this.repo.agents(id, page);
    const status = await this.agents.statusOf(entries.map((e) => e.agentId));
    return entries.flatMap((e) => {
      const connection = status.get(e.agentId);
      // An agent deleted since the page was read has left the rollout too (its entries cascade).
      return connection ? [{ ...e, connection }] : [];
    });
  }

  /** The rollout with its progress counted per wave and state, without its agents. */
  /** Rollouts by state, and agents of unfinished rollouts by delivery state (metrics). */
  gauges(): Promise<{ rollouts: Record<string, number>; agents: Record<string, number> }> {
    return this.repo.gauges();
  }

  async summary(id: string): Promise<RolloutSummary> {
    const [rollout, counts] = await Promise.all([this.repo.find(id), this.repo.waveCounts([id])]);
    if (!rollout) throw new DomainError('rollout_not_found', `no rollout ${id}`);
    return { ...rollout, ...summarize(rollout, counts.get(id) ?? []) };
  }

  async act(id: string, action: RolloutAction): Promise<RolloutDetail> {
    const rollout = await this.repo.find(id);
    if (!rollout) throw new DomainError('rollout_not_found', `no rollout ${id}`);
    const from = ACTION_FROM[action];
    if (!from.includes(rollout.state))
      throw new DomainError(
        ACTION_REFUSAL[action],
        `cannot ${action} a rollout that is ${rollout.state} (possible from: ${from.join(', ')})`,
        { state: rollout.state },
      );
    const moved = await this.repo.transaction(async (tx) => {
      switch (action) {
        case 'pause':
          return this.repo.setState(id, from, 'paused', { reason: 'paused by an operator' }, tx);
        case 'resume':
          return this.repo.setState(id, from, 'running', {}, tx);
        case 'approve':
          return this.repo.setState(id, from, 'running', { nextWave: true }, tx);
        case 'cancel': {
          const ok = await this.repo.setState(
            id,
            from,
            'cancelled',
            { reason: 'cancelled by an operator' },
            tx,
          );
          if (ok) await this.repo.cancelUnstarted(id, tx);
          return ok;
        }
        case 'retry-failed': {
          await this.repo.retryFailed(id, tx);
          // A rollout the error threshold halted goes on with the retried agents.
          if (rollout.state === 'halted') return this.repo.setState(id, ['halted'], 'running', {}, tx);
          return true;
        }
      }
    });
    if (!moved)
      throw new DomainError('rollout_changed_meanwhile', `rollout ${id} changed meanwhile; try again`);
    await this.cluster.publish('rollout.changed', { rolloutId: id });
    return this.get(id);
  }
}

function withPage(summary: RolloutSummary, agents: RolloutAgentView[], page: AgentsPage): RolloutDetail {
  const agentsTotal = page.states
    ? page.states.reduce((n, state) => n + (summary.states[state] ?? 0), 0)
    : summary.targetCount;
  return { ...summary, agents, agentsTotal };
}

function summarize(rollout: Rollout, counts: WaveStateCount[]) {
  const goal = goalOf(rollout.mode);
  const states: Partial<Record<RolloutAgentState, number>> = {};
  const waves: WaveView[] = rollout.waves.sizes.map((size, i) => ({
    wave: i + 1,
    size,
    states: {},
    eligible: 0,
    done: 0,
  }));
  for (const c of counts) {
    states[c.state] = (states[c.state] ?? 0) + c.count;
    const w = waves[c.wave - 1];
    if (!w) continue;
    w.states[c.state] = (w.states[c.state] ?? 0) + c.count;
    if (c.state !== 'needs_upgrade' && c.state !== 'cancelled') w.eligible += c.count;
    if (c.state === goal) w.done += c.count;
  }
  return { states, waveProgress: waves, targetCount: counts.reduce((n, c) => n + c.count, 0) };
}
