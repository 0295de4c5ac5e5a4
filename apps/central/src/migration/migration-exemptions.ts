import { DomainError, ValidationError } from '../common/domain-error.js';
import { type MigrationActor, type MigrationDeps } from './migration-deps.js';
import { type Exemption } from './migration.repository.js';

/** Agents deliberately left on plain (behind a connector, the local agent) until a set time. */
export class MigrationExemptions {
  constructor(private readonly deps: MigrationDeps) {}

  list(page?: { limit?: number; offset: number }): Promise<Exemption[]> {
    return this.deps.repo.exemptions(page);
  }

  async add(
    input: { agentId: string; reason: string; expiresAt: Date },
    actor: MigrationActor,
  ): Promise<Exemption> {
    if (input.expiresAt.getTime() <= (await this.deps.repo.now()).getTime())
      throw new ValidationError([{ field: 'expiresAt', message: 'must be in the future' }]);
    if (!(await this.deps.agentExists(input.agentId)))
      throw new DomainError('agent_not_found', `no registered agent "${input.agentId}"`);
    await this.deps.repo.upsertExemption({ ...input, createdBy: actor.name });
    await this.deps.audit(actor, 'migration exemption', 'success', {
      agentId: input.agentId,
      reason: input.reason,
      expiresAt: input.expiresAt.toISOString(),
    });
    return (await this.list()).find((e) => e.agentId === input.agentId)!;
  }

  async remove(agentId: string, actor: MigrationActor): Promise<{ removed: string }> {
    if (!(await this.deps.repo.deleteExemption(agentId)))
      throw new DomainError('exemption_not_found', `no exemption for agent "${agentId}"`);
    await this.deps.audit(actor, 'migration exemption removed', 'success', { agentId });
    return { removed: agentId };
  }
}
