import { type DataSource } from 'typeorm';
import { DomainError, ErrorCode } from '../common/domain-error.js';
import {
  type RolloutProgress,
  type SecureRolloutPort,
  type SecureRolloutRequest,
} from './secure-rollout.port.js';

/** Starts the secure rollout: inside a node, the rollouts and profiles services (SecureRolloutStarter). */
export interface RolloutStarter {
  start(input: SecureRolloutRequest): Promise<string>;
}

/**
 * The migration × rollouts seam: progress is read from the rollout tables of ADR 9, which every node
 * shares; starting goes through the rollouts service of a running node. The `migrate` CLI works on the
 * database alone and has no starter: there the operator starts the rollout (API or UI) and hands its id
 * over (`advance --rollout ID` / `{ "rolloutId": … }`), which is followed exactly the same way.
 */
export class RolloutsIntegration implements SecureRolloutPort {
  constructor(
    private readonly db: Pick<DataSource, 'query'>,
    private readonly starter?: RolloutStarter,
  ) {}

  start(input: SecureRolloutRequest): Promise<string> {
    if (this.starter) return this.starter.start(input);
    const what = input.profile ? `${input.profile} revision ${input.revision}` : 'a secure revision';
    return Promise.reject(
      new DomainError(
        ErrorCode.CONFLICT,
        `the migrate CLI cannot start rollouts (central's rollouts service does): advance through the API, or start a publish rollout of ${what} to all agents (POST /api/rollouts) and advance with its rolloutId`,
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
