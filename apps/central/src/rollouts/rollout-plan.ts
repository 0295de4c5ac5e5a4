import { randomInt } from 'node:crypto';
import { Injectable } from '@nestjs/common';
import { FleetAgentsRepository } from '../agents/fleet-agents.repository.js';
import { DomainError, ValidationError } from '../common/domain-error.js';
import { upgradeNeeded } from './capability-gate.js';
import { type CreateRolloutRequest } from '../../../../libs/api/rollout-requests.js';
import { type RolloutAgentState } from './rollout-agent-state.js';
import { type RevisionFacts } from './rollout.types.js';
import { ProfileRevisionsRepository } from '../profiles/profile-revisions.repository.js';
import { cutIntoWaves, MAX_WAVE_SEED, type WaveOrder, waveOrdered } from './wave-order.js';
import { planWaves } from './wave-planner.js';

/** One target's place in a planned rollout. */
export interface PlannedEntry {
  agentId: string;
  wave: number;
  state: RolloutAgentState;
  reason: string | null;
}

/** What a rollout request resolves to: the same for a preview and for the rollout it starts. */
export interface RolloutPlan {
  revision: RevisionFacts;
  sizes: number[];
  order: WaveOrder;
  /** The shuffle's seed (random order only): stored with the rollout so its waves can be told again. */
  seed: number | undefined;
  /** Every target, wave by wave (by id within a wave). */
  entries: PlannedEntry[];
}

/** Names a preview lists: enough to recognise the targets, small at 10,000 agents. */
export const PREVIEW_TARGET_NAMES = 20;
export const PREVIEW_WAVE_NAMES = 5;

/** `POST /api/rollouts/preview`: what a rollout request would target, wave by wave, before it starts. */
export interface RolloutPreview {
  profile: string;
  revision: number;
  mode: CreateRolloutRequest['mode'];
  targetCount: number;
  /** The first targets in wave order (up to PREVIEW_TARGET_NAMES). */
  firstTargets: string[];
  /** Targets that would wait for an agent upgrade instead of getting the revision. */
  needsUpgrade: number;
  waveOrder: WaveOrder;
  /** Give it back with the request to start exactly these waves; null for an ordered rollout. */
  waveSeed: number | null;
  waves: Array<{ wave: number; size: number; needsUpgrade: number; firstAgents: string[] }>;
}

/**
 * Resolves a rollout request into its targets and waves, checking it the way `POST /api/rollouts`
 * does (unknown revision 404, unknown listed agents and an empty target set 400). Reads only.
 */
@Injectable()
export class RolloutPlanner {
  constructor(
    private readonly revisions: ProfileRevisionsRepository,
    private readonly agents: FleetAgentsRepository,
  ) {}

  async plan(input: CreateRolloutRequest): Promise<RolloutPlan> {
    const revision = await this.revisions.facts(input.profile, input.revision);
    if (!revision)
      throw new DomainError(
        'profile_revision_not_found',
        `no revision ${input.revision} of profile "${input.profile}"`,
      );
    const agents = await this.agents.targets(input.targets);
    if ('agentIds' in input.targets) {
      const known = new Set(agents.map((a) => a.id));
      const unknown = input.targets.agentIds.filter((id) => !known.has(id));
      if (unknown.length > 0)
        throw new ValidationError([
          { field: 'targets.agentIds', message: `no enrolled agent(s) ${unknown.slice(0, 20).join(', ')}` },
        ]);
    }
    if (agents.length === 0)
      throw new ValidationError([{ field: 'targets', message: 'selects no enrolled agent' }]);
    const sizes = planWaves(agents.length, input.waves);
    const order = input.waveOrder;
    const seed = order === 'random' ? (input.waveSeed ?? randomInt(0, MAX_WAVE_SEED)) : undefined;
    const entries = cutIntoWaves(waveOrdered(agents, order, seed), sizes)
      .map(({ item: agent, wave }) => {
        const reason = upgradeNeeded(revision, agent);
        return {
          agentId: agent.id,
          wave,
          state: (reason ? 'needs_upgrade' : 'pending') as RolloutAgentState,
          reason: reason ?? null,
        };
      })
      .sort((a, b) => a.wave - b.wave || (a.agentId < b.agentId ? -1 : a.agentId > b.agentId ? 1 : 0));
    return { revision, sizes, order, seed, entries };
  }

  /** The plan as a preview: counts and first names, nothing written. */
  async preview(input: CreateRolloutRequest): Promise<RolloutPreview> {
    const plan = await this.plan(input);
    const waves = plan.sizes.map((size, i) => {
      const mine = plan.entries.filter((e) => e.wave === i + 1);
      return {
        wave: i + 1,
        size,
        needsUpgrade: mine.filter((e) => e.state === 'needs_upgrade').length,
        firstAgents: mine.slice(0, PREVIEW_WAVE_NAMES).map((e) => e.agentId),
      };
    });
    return {
      profile: input.profile,
      revision: input.revision,
      mode: input.mode,
      targetCount: plan.entries.length,
      firstTargets: plan.entries.slice(0, PREVIEW_TARGET_NAMES).map((e) => e.agentId),
      needsUpgrade: waves.reduce((n, w) => n + w.needsUpgrade, 0),
      waveOrder: plan.order,
      waveSeed: plan.seed ?? null,
      waves,
    };
  }
}
