import type { AgentPackage } from '../../../../libs/api/agent-packages.js';
import type { NeedsUpgrade, RolloutDetail } from '../../../../libs/api/rollouts.js';
import { api } from './client.js';

export type { AgentPackage, NeedsUpgrade };
/** An uploaded agent package as the upgrade dialog lists it. */
export type AgentPackageSummary = AgentPackage;

export function listAgentPackages(): Promise<AgentPackage[]> {
  return api<AgentPackage[]>('GET', '/api/agent-packages');
}

export function agentsNeedingUpgrade(): Promise<NeedsUpgrade> {
  return api<NeedsUpgrade>('GET', '/api/agent-upgrades/needs-upgrade');
}

/** "Upgrade them": a rollout of `version` to the agents that need an upgrade (admin only). */
export function upgradeAgentsNeedingIt(version: string): Promise<RolloutDetail> {
  return api<RolloutDetail>('POST', '/api/agent-upgrades', { version, targets: { needsUpgrade: true } });
}
