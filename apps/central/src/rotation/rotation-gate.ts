import { type AgentTrustFacts } from '../agents/agent-trust.repository.js';
import { agentsThatWouldNotTrust, chainLinks, type StrandedAgent } from '../certificates/stranded-agents.js';

/** Where the gate learns what known agents trust (the same source as the certificate guard). */
export interface RotationTrustSource {
  knownSecureAgents(windowHours: number): Promise<AgentTrustFacts[]>;
  /** A node first stores the reports it holds in memory, so the gate sees them. */
  flush?(): Promise<void>;
}

/** The gate before activation: how many known agents trust the new chain, and who does not, and why. */
export interface RotationGate {
  /** Known agents: online or seen within the migration window, over TLS, not revoked, not exempted. */
  total: number;
  trusting: number;
  strandedCount: number;
  /** The first `limit` agents that would not trust the new chain (`strandedCount` says how many in all). */
  stranded: StrandedAgent[];
  ok: boolean;
}

/**
 * Every known agent must report the new anchor (ADR 30): the certificate guard's own rule (ADR 24,
 * stranded-agents.ts) applied to the staged chain, with silent agents assumed to trust only what is served.
 */
export async function rotationGate(
  source: RotationTrustSource,
  windowHours: number,
  nextChainPem: string,
  currentChainPem: string,
  limit: number,
): Promise<RotationGate & { all: StrandedAgent[] }> {
  await source.flush?.();
  const agents = await source.knownSecureAgents(windowHours);
  const all = agentsThatWouldNotTrust(chainLinks(nextChainPem), chainLinks(currentChainPem), agents);
  return {
    total: agents.length,
    trusting: agents.length - all.length,
    strandedCount: all.length,
    stranded: all.slice(0, limit),
    ok: all.length === 0,
    all,
  };
}
