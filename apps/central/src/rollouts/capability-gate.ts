import { compareVersions, parseVersion } from './agent-version.js';

export interface RevisionNeeds {
  minimumAgentVersion: string;
  requiredCapabilities: string[];
}

export interface AgentFacts {
  /** Null until the agent has said hello once: then nothing is known and nothing is refused yet. */
  agentVersion: string | null;
  capabilities: string[];
}

/**
 * Why this agent cannot run the revision (it is then `needs_upgrade` and sent nothing), or undefined
 * when it can — or when it never said hello, so its version is not known yet (checked again at hello).
 */
export function upgradeNeeded(revision: RevisionNeeds, agent: AgentFacts): string | undefined {
  if (agent.agentVersion === null) return undefined;
  const reasons: string[] = [];
  const minimum = parseVersion(revision.minimumAgentVersion);
  const actual = parseVersion(agent.agentVersion);
  if (minimum && (!actual || compareVersions(actual, minimum) < 0))
    reasons.push(`agent version ${agent.agentVersion} is below the minimum ${revision.minimumAgentVersion}`);
  const missing = revision.requiredCapabilities.filter((c) => !agent.capabilities.includes(c));
  if (missing.length > 0) reasons.push(`lacks capability ${missing.join(', ')}`);
  return reasons.length > 0 ? reasons.join('; ') : undefined;
}
