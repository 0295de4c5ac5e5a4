import { Injectable } from '@nestjs/common';
import { ClusterBus } from '../cluster/cluster-bus.js';
import { DomainError } from '../common/domain-error.js';
import { hashSecret, newSecret } from '../crypto/secrets.js';
import { ENROLLMENT_TOKEN_PREFIX } from './agent-authenticator.js';
import { AgentsRepository, type AgentView, type ConnectionStatus } from './agents.repository.js';
import { EnrollmentTokensRepository } from './enrollment-tokens.repository.js';
import { type Transport, type TrustAnchor } from '../../../../libs/protocol/index.js';
import { AgentTrustRepository } from './agent-trust.repository.js';

/**
 * What the agent trusts, as it last reported (ADR 24): the SHA-256 of each anchor's DER certificate and
 * its subject. `null`: it never reported ("unknown"), and certificate changes treat it as trusting only
 * the current certificate's anchor.
 */
export interface AgentTrustView {
  trustAnchors: TrustAnchor[] | null;
  trustReportedAt: Date | null;
}

@Injectable()
export class AgentsService {
  constructor(
    private readonly agents: AgentsRepository,
    private readonly tokens: EnrollmentTokensRepository,
    private readonly cluster: ClusterBus,
    private readonly trust: AgentTrustRepository,
  ) {}

  async list(filter: {
    status?: ConnectionStatus;
    transport?: Transport;
    group?: string;
    limit: number;
    offset: number;
  }): Promise<Array<AgentView & AgentTrustView>> {
    const agents = await this.agents.list(filter);
    const reports = await this.trust.findMany(agents.map((a) => a.id));
    return agents.map((a) => {
      const report = reports.get(a.id);
      return { ...a, trustAnchors: report?.anchors ?? null, trustReportedAt: report?.reportedAt ?? null };
    });
  }

  async get(id: string): Promise<AgentView & AgentTrustView> {
    const agent = await this.agents.find(id);
    if (!agent) throw new DomainError('agent_not_found', `no agent "${id}"`);
    const report = await this.trust.find(id);
    return { ...agent, trustAnchors: report?.anchors ?? null, trustReportedAt: report?.reportedAt ?? null };
  }

  /** Labels the agent with groups, which rollouts can target. */
  async setGroups(id: string, groups: string[]): Promise<AgentView & AgentTrustView> {
    if (!(await this.agents.setGroups(id, groups)))
      throw new DomainError('agent_not_found', `no agent "${id}"`);
    return this.get(id);
  }

  /** Revokes the credential and closes the agent's session on whichever node holds it. */
  async revoke(id: string): Promise<{ revoked: string }> {
    if (!(await this.agents.revoke(id))) throw new DomainError('agent_not_found', `no active agent "${id}"`);
    await this.cluster.publish('agent.revoked', { agentId: id });
    return { revoked: id };
  }

  /** The token is returned once, here; only its hash is kept. */
  async createEnrollmentToken(
    input: {
      expiresInMinutes: number;
      maxUses: number | null;
      description: string;
      agentIdPrefix?: string;
      group?: string;
    },
    createdBy: string,
  ) {
    const token = newSecret(ENROLLMENT_TOKEN_PREFIX);
    const expiresAt = new Date(Date.now() + input.expiresInMinutes * 60_000);
    const scope = { agentIdPrefix: input.agentIdPrefix ?? null, group: input.group ?? null };
    const id = await this.tokens.insert({
      tokenHash: hashSecret(token),
      description: input.description,
      createdBy,
      expiresAt,
      maxUses: input.maxUses,
      ...scope,
    });
    return { id, token, expiresAt, maxUses: input.maxUses, description: input.description, ...scope };
  }

  /**
   * A one-time token that enrolls this one agent again (ADR 25): a new device, a lost credential, or a
   * revoked agent admitted again. Its use replaces the credential and lifts a revocation.
   */
  async createReEnrollToken(agentId: string, input: { expiresInMinutes: number }, createdBy: string) {
    if (!(await this.agents.find(agentId))) throw new DomainError('agent_not_found', `no agent "${agentId}"`);
    const token = newSecret(ENROLLMENT_TOKEN_PREFIX);
    const expiresAt = new Date(Date.now() + input.expiresInMinutes * 60_000);
    const description = `re-enroll ${agentId}`;
    const id = await this.tokens.insert({
      tokenHash: hashSecret(token),
      description,
      createdBy,
      expiresAt,
      maxUses: 1,
      agentId,
    });
    return { id, token, agentId, expiresAt, maxUses: 1, description };
  }

  listEnrollmentTokens() {
    return this.tokens.list();
  }

  async revokeEnrollmentToken(id: string): Promise<{ revoked: string }> {
    if (!(await this.tokens.revoke(id)))
      throw new DomainError('enrollment_token_not_found', `no active enrollment token ${id}`);
    return { revoked: id };
  }

  onlineOverPlain() {
    return this.agents.onlineOverPlain();
  }

  onlineOver(transport: Transport) {
    return this.agents.onlineOver(transport);
  }
}
