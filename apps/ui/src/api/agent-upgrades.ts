import { api } from './client.js';

/** An uploaded agent package, as `GET /api/agent-packages` lists it (ADR 45). */
export interface AgentPackageSummary {
  version: string;
  sha256: string;
  sizeBytes: number;
  platform: string;
  uploadedBy: string;
  uploadedAt: string;
}

/** Who `targets: {"needsUpgrade": true}` takes now: the full count and the first ids. */
export interface NeedsUpgrade {
  count: number;
  agentIds: string[];
}

/** The rollout `POST /api/agent-upgrades` started, as far as the UI uses it. */
export interface StartedUpgrade {
  id: string;
  packageVersion?: string | null;
  targets: { agentIds?: string[]; agentIdCount?: number };
}

export function listAgentPackages(): Promise<AgentPackageSummary[]> {
  return api<AgentPackageSummary[]>('GET', '/api/agent-packages');
}

export function agentsNeedingUpgrade(): Promise<NeedsUpgrade> {
  return api<NeedsUpgrade>('GET', '/api/agent-upgrades/needs-upgrade');
}

/** "Upgrade them": a rollout of `version` to the agents that need an upgrade (admin only). */
export function upgradeAgentsNeedingIt(version: string): Promise<StartedUpgrade> {
  return api<StartedUpgrade>('POST', '/api/agent-upgrades', { version, targets: { needsUpgrade: true } });
}
