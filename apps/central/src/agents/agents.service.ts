import { Injectable } from '@nestjs/common';
import { ClusterBus } from '../cluster/cluster-bus.js';
import { DomainError, ErrorCode } from '../common/domain-error.js';
import { hashSecret, newSecret } from '../crypto/secrets.js';
import { ENROLLMENT_TOKEN_PREFIX } from './agent-authenticator.js';
import { AgentsRepository, type AgentView, type ConnectionStatus } from './agents.repository.js';
import { EnrollmentTokensRepository } from './enrollment-tokens.repository.js';
import { type Transport } from '../../../../libs/protocol/index.js';

@Injectable()
export class AgentsService {
  constructor(
    private readonly agents: AgentsRepository,
    private readonly tokens: EnrollmentTokensRepository,
    private readonly cluster: ClusterBus,
  ) {}

  list(filter: {
    status?: ConnectionStatus;
    transport?: Transport;
    limit: number;
    offset: number;
  }): Promise<AgentView[]> {
    return this.agents.list(filter);
  }

  async get(id: string): Promise<AgentView> {
    const agent = await this.agents.find(id);
    if (!agent) throw new DomainError(ErrorCode.NOT_FOUND, `no agent "${id}"`);
    return agent;
  }

  /** Labels the agent with groups, which rollouts can target. */
  async setGroups(id: string, groups: string[]): Promise<AgentView> {
    if (!(await this.agents.setGroups(id, groups)))
      throw new DomainError(ErrorCode.NOT_FOUND, `no agent "${id}"`);
    return this.get(id);
  }

  /** Revokes the credential and closes the agent's session on whichever node holds it. */
  async revoke(id: string): Promise<{ revoked: string }> {
    if (!(await this.agents.revoke(id)))
      throw new DomainError(ErrorCode.NOT_FOUND, `no active agent "${id}"`);
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
    if (!(await this.agents.find(agentId)))
      throw new DomainError(ErrorCode.NOT_FOUND, `no agent "${agentId}"`);
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
      throw new DomainError(ErrorCode.NOT_FOUND, `no active enrollment token ${id}`);
    return { revoked: id };
  }

  onlineOverPlain() {
    return this.agents.onlineOverPlain();
  }

  onlineOver(transport: Transport) {
    return this.agents.onlineOver(transport);
  }
}
