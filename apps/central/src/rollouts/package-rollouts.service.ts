import { Injectable } from '@nestjs/common';
import { AgentPackagesRepository } from '../agent-packages/agent-packages.repository.js';
import { FleetAgentsRepository } from '../agents/fleet-agents.repository.js';
import { ClusterBus } from '../cluster/cluster-bus.js';
import { DomainError, ValidationError } from '../common/domain-error.js';
import { type CreatePackageRolloutRequest } from '../../../../libs/api/rollout-requests.js';
import { PackageRolloutsRepository } from './package-rollouts.repository.js';
import { type RolloutAgentState } from './rollout-agent-state.js';
import { type RolloutDetail, RolloutsService } from './rollouts.service.js';
import { planWaves } from './wave-planner.js';

/** Ids listed by the needs-upgrade preview; the count is always complete. */
const NEEDS_UPGRADE_SHOWN = 20;

/** Agent upgrades as rollouts (ADR 45): created here, then moved and shown as every rollout. */
@Injectable()
export class PackageRolloutsService {
  constructor(
    private readonly packages: PackageRolloutsRepository,
    private readonly views: RolloutsService,
    private readonly cluster: ClusterBus,
    private readonly agents: FleetAgentsRepository,
    private readonly agentPackages: AgentPackagesRepository,
  ) {}

  /** The agents `{"needsUpgrade": true}` resolves to now: how many, and the first NEEDS_UPGRADE_SHOWN ids. */
  needsUpgrade(): Promise<{ count: number; agentIds: string[] }> {
    return this.packages.countNeedingUpgrade(NEEDS_UPGRADE_SHOWN);
  }

  async create(input: CreatePackageRolloutRequest, actor: string): Promise<RolloutDetail> {
    if (!(await this.agentPackages.find(input.version)))
      throw new DomainError(
        'agent_package_not_found',
        `no agent package ${input.version} (upload it with POST /api/agent-packages first)`,
      );
    const targets = input.targets;
    const agents =
      'needsUpgrade' in targets
        ? await this.packages.agentsNeedingUpgrade()
        : await this.agents.targets(targets);
    if ('agentIds' in targets) {
      const known = new Set(agents.map((a) => a.id));
      const unknown = targets.agentIds.filter((id) => !known.has(id));
      if (unknown.length > 0)
        throw new ValidationError([
          { field: 'targets.agentIds', message: `no enrolled agent(s) ${unknown.slice(0, 20).join(', ')}` },
        ]);
    }
    if (agents.length === 0)
      throw new ValidationError([
        {
          field: 'targets',
          message: 'needsUpgrade' in targets ? 'no agent needs an upgrade' : 'selects no enrolled agent',
        },
      ]);
    const sizes = planWaves(agents.length, input.waves);
    const entries: Array<{ agentId: string; wave: number; state: RolloutAgentState; reason: string | null }> =
      [];
    let index = 0;
    for (const [w, size] of sizes.entries()) {
      for (const agent of agents.slice(index, index + size))
        entries.push({ agentId: agent.id, wave: w + 1, state: 'pending', reason: null });
      index += size;
    }
    const id = await this.packages.insert({
      packageVersion: input.version,
      mode: 'publish',
      // The agents "needs upgrade" named now: the rollout's record must not change with later hellos.
      targets: 'needsUpgrade' in targets ? { agentIds: agents.map((a) => a.id) } : targets,
      waves: { requested: input.waves, sizes },
      waveCount: sizes.length,
      successThresholdPercent: input.successThresholdPercent,
      pauseBetweenWaves: input.pauseBetweenWaves,
      errorThreshold: input.errorThreshold,
      stepTimeoutSeconds: input.stepTimeoutSeconds,
      createdBy: actor,
      entries,
    });
    await this.cluster.publish('rollout.changed', { rolloutId: id });
    return this.views.get(id);
  }
}
