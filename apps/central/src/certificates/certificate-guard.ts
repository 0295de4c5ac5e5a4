import { DomainError } from '../common/domain-error.js';
import { type AgentTrustFacts } from '../agents/agent-trust.repository.js';
import { agentsThatWouldNotTrust, chainLinks, describeChain, type StrandedAgent } from './stranded-agents.js';

/** Where the guard learns what known agents trust (the database; a node first stores pending reports). */
export interface AgentTrustSource {
  knownSecureAgents(windowHours: number): Promise<AgentTrustFacts[]>;
}

/** What a guarded change did: the agents it strands (none unless forced). */
export interface GuardOutcome {
  stranded: StrandedAgent[];
  forced: boolean;
}

/**
 * Every change of the served certificate passes here (ADR 24): import, self-signed, previous, drop-in,
 * certmgr, ACME. When known agents would not trust the new chain it refuses with 409
 * `would_strand_agents` naming each agent and why, unless forced. It only reads: refusing changes nothing.
 */
export class CertificateGuard {
  constructor(
    private readonly source: AgentTrustSource,
    private readonly windowHours: number,
    /** Runs first: a node stores the reports it holds in memory, so the check sees them. */
    private readonly beforeCheck: () => Promise<void> = () => Promise.resolve(),
  ) {}

  /** The known agents that would not trust `nextChainPem`, with reasons (the staged rotation reuses this). */
  async strandedBy(nextChainPem: string, currentChainPem: string | undefined): Promise<StrandedAgent[]> {
    // No certificate served yet: nobody can be on wss, nobody can be stranded.
    if (currentChainPem === undefined) return [];
    await this.beforeCheck();
    const agents = await this.source.knownSecureAgents(this.windowHours);
    return agentsThatWouldNotTrust(chainLinks(nextChainPem), chainLinks(currentChainPem), agents);
  }

  /** Throws `would_strand_agents` (409) unless nobody is stranded or `force` is set. */
  async check(
    nextChainPem: string,
    currentChainPem: string | undefined,
    force: boolean,
  ): Promise<GuardOutcome> {
    const stranded = await this.strandedBy(nextChainPem, currentChainPem);
    if (stranded.length === 0 || force) return { stranded, forced: force && stranded.length > 0 };
    throw new DomainError('certificate_would_strand_agents', strandingMessage(nextChainPem, stranded), {
      agents: stranded,
      chain: describeChain(chainLinks(nextChainPem)),
    });
  }
}

/** One sentence naming the agents (the API's message, certmgr's stderr, the drop-in reason file). */
export function strandingMessage(nextChainPem: string, stranded: readonly StrandedAgent[]): string {
  const named = stranded
    .slice(0, 20)
    .map((a) => `${a.id} (${a.reason})`)
    .join(', ');
  const more = stranded.length > 20 ? ` and ${stranded.length - 20} more` : '';
  return (
    `${stranded.length} known agent(s) would not trust the new certificate chain ` +
    `${describeChain(chainLinks(nextChainPem))} and would be stranded: ${named}${more}. ` +
    'Nothing was changed; publish a truststore with the new anchor to them first (a profile revision), ' +
    'or force the change (switchyard-certmgr with -force)'
  );
}
