import { type DataSource } from 'typeorm';
import { DomainError, ErrorCode } from '../common/domain-error.js';
import { type RolloutProgress, type SecureRolloutPort } from './secure-rollout.port.js';

/**
 * INTEGRATION POINT (issue 5 × rollouts): progress is read from the rollout tables of ADR 9, which
 * every node shares; `start` is to call the rollouts service (POST /api/rollouts' use case) once it
 * has landed. Until then the operator starts the rollout and hands its id to the migration
 * (`advance { "rolloutId": … }`), which follows it exactly the same way.
 */
export class RolloutsIntegration implements SecureRolloutPort {
  constructor(private readonly db: Pick<DataSource, 'query'>) {}

  start(input: { profile: string; revision: number; actor: string }): Promise<string> {
    return Promise.reject(
      new DomainError(
        ErrorCode.CONFLICT,
        `this build cannot start rollouts from the migration yet: start one for ${input.profile} revision ${input.revision} (POST /api/rollouts, mode "publish", all agents) and advance with {"rolloutId": "<its id>"}`,
      ),
    );
  }

  async progress(rolloutId: string): Promise<RolloutProgress | undefined> {
    const [r] = (await this.db.query(
      `SELECT id, profile_name, revision, mode, state, state_reason FROM rollouts WHERE id = $1`,
      [rolloutId],
    )) as Array<Record<string, unknown>>;
    if (!r) return undefined;
    const rows = (await this.db.query(
      `SELECT agent_id, state, reason FROM rollout_agents WHERE rollout_id = $1 ORDER BY agent_id`,
      [rolloutId],
    )) as Array<{ agent_id: string; state: string; reason: string | null }>;
    const agents: Record<string, number> = {};
    for (const a of rows) agents[a.state] = (agents[a.state] ?? 0) + 1;
    return {
      id: r.id as string,
      profile: r.profile_name as string,
      revision: r.revision as number,
      mode: r.mode as string,
      state: r.state as string,
      stateReason: r.state_reason as string | null,
      agents,
      failed: rows
        .filter((a) => ['failed', 'stale', 'needs_upgrade'].includes(a.state))
        .map((a) => ({ agentId: a.agent_id, state: a.state, reason: a.reason })),
    };
  }
}
