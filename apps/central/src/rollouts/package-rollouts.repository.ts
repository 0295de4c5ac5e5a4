import { Injectable } from '@nestjs/common';
import { DataSource } from 'typeorm';
import { type AgentUpgradeState } from '../../../../libs/protocol/index.js';
import { type TargetAgent } from '../agents/fleet-agents.repository.js';
import {
  agentsNeedingUpgrade,
  countAgentsNeedingUpgrade,
  dueUpgrades,
  reconcileVersions,
  type DueUpgrade,
} from './package-work.query.js';
import { type RolloutAgentState } from './rollout-agent-state.js';
import { type NewRollout } from './rollouts.repository.js';

export { type DueUpgrade };

/** What a package rollout's entry moves to on each `agent.upgrade.status` (mode publish, goal applied). */
export const ENTRY_STATE_OF: Record<AgentUpgradeState, RolloutAgentState> = {
  downloading: 'synchronizing',
  installed: 'synchronized',
  restarting: 'applying',
  upgraded: 'applied',
  failed: 'failed',
};

const PROGRESS: Partial<Record<RolloutAgentState, number>> = {
  pending: 0,
  stale: 0,
  synchronizing: 1,
  synchronized: 2,
  applying: 3,
  applied: 4,
};

/**
 * SQL of rollouts that deliver agent packages (ADR 45); what they read of agents and agent packages is
 * the report in package-work.query.ts (ADR 47). They share `rollouts` and `rollout_agents` with
 * profile rollouts, so waves, thresholds, pause, approval and step timeouts are the same code
 * (RolloutWaves); only sending and recording answers differ (PackageDispatcher).
 */
@Injectable()
export class PackageRolloutsRepository {
  constructor(private readonly db: DataSource) {}

  /**
   * Agents that need an upgrade: those that said hello without the `wss` capability (the migration
   * gate's "cannot connect securely"), and those a running rollout marked needs_upgrade.
   */
  agentsNeedingUpgrade(): Promise<TargetAgent[]> {
    return agentsNeedingUpgrade(this.db);
  }

  /** How many agents need an upgrade (a COUNT in the database), and the first `shown` of their ids. */
  countNeedingUpgrade(shown: number): Promise<{ count: number; agentIds: string[] }> {
    return countAgentsNeedingUpgrade(this.db, shown);
  }

  /**
   * Stores a package rollout. Open entries of older package rollouts for the same agents are cancelled
   * (one upgrade at a time, the newest); profile entries are not touched.
   */
  async insert(r: Omit<NewRollout, 'profile' | 'revision'> & { packageVersion: string }): Promise<string> {
    return this.db.transaction(async (tx) => {
      const [row] = (await tx.query(
        `INSERT INTO rollouts (kind, package_version, mode, targets, waves, wave_count, success_threshold_percent,
                               pause_between_waves, error_threshold, step_timeout_seconds, created_by)
         VALUES ('agent_package', $1, 'publish', $2, $3, $4, $5, $6, $7, $8, $9) RETURNING id`,
        [
          r.packageVersion,
          JSON.stringify(r.targets),
          JSON.stringify(r.waves),
          r.waveCount,
          r.successThresholdPercent,
          r.pauseBetweenWaves,
          JSON.stringify(r.errorThreshold),
          r.stepTimeoutSeconds,
          r.createdBy,
        ],
      )) as Array<{ id: string }>;
      const ids = r.entries.map((e) => e.agentId);
      await tx.query(
        `UPDATE rollout_agents ra SET state = 'cancelled', reason = $2, state_changed_at = now()
           FROM rollouts r
          WHERE r.id = ra.rollout_id AND ra.agent_id = ANY($1::text[]) AND ra.rollout_id <> $3
            AND r.kind = 'agent_package' AND r.state <> 'cancelled'
            AND ra.state IN ('pending', 'stale', 'synchronizing', 'synchronized', 'applying')`,
        [ids, `superseded by rollout ${row.id}`, row.id],
      );
      await tx.query(
        `INSERT INTO rollout_agents (rollout_id, activates, agent_id, wave, state, reason)
         SELECT $1, true, agent_id, wave, state, reason
           FROM unnest($2::text[], $3::int[], $4::text[], $5::text[]) AS e(agent_id, wave, state, reason)`,
        [
          row.id,
          ids,
          r.entries.map((e) => e.wave),
          r.entries.map((e) => e.state),
          r.entries.map((e) => e.reason),
        ],
      );
      return row.id;
    });
  }

  /** Whether any agent-package rollout is unfinished (the few rows of the partial index rollouts_unfinished). */
  async anyUnfinished(): Promise<boolean> {
    const [row] = (await this.db.query(
      `SELECT EXISTS (SELECT 1 FROM rollouts
                       WHERE kind = 'agent_package' AND state NOT IN ('completed', 'cancelled')) AS any`,
    )) as Array<{ any: boolean }>;
    return row?.any === true;
  }

  /**
   * Entries of sending package rollouts (their wave reached) whose agent is online on this node and was
   * not sent `agent.upgrade` on its current session yet: pending ones, and stale ones (sent again).
   */
  due(nodeId: string, limit: number): Promise<DueUpgrade[]> {
    return dueUpgrades(this.db, nodeId, limit);
  }

  /** Marks the entry sent on this session (a stale one starts a new attempt); false if it moved meanwhile. */
  async markSent(e: DueUpgrade): Promise<number | undefined> {
    const rows = (await this.db.query(
      `UPDATE rollout_agents
          SET sent_step = 'sync', sent_session = $3, sent_at = now(),
              attempts = CASE WHEN state = 'stale' OR attempts = 0 THEN attempts + 1 ELSE attempts END,
              state = 'pending', reason = NULL, state_changed_at = now()
        WHERE rollout_id = $1 AND agent_id = $2 AND state = $4 AND attempts = $5
        RETURNING attempts`,
      [e.rolloutId, e.agentId, e.sessionId, e.state, e.attempts],
    )) as [Array<{ attempts: number }>, number];
    const [updated] = rows[0] ?? [];
    return updated ? Number(updated.attempts) : undefined;
  }

  /**
   * Records an agent's `agent.upgrade.status` for the attempt it names, forwards only: a late or repeated
   * answer never moves an entry back, a finished one (applied, failed, cancelled) stays. True if it moved.
   */
  async recordStatus(
    rolloutId: string,
    agentId: string,
    attempt: number,
    state: RolloutAgentState,
    reason: string | null,
  ): Promise<boolean> {
    // A failure ends any attempt still under way; progress only moves forwards.
    const allowedFrom = (Object.keys(PROGRESS) as RolloutAgentState[]).filter((s) =>
      state === 'failed' ? s !== 'applied' : (PROGRESS[s] ?? 0) < (PROGRESS[state] ?? 0),
    );
    const [, count] = (await this.db.query(
      `UPDATE rollout_agents ra
          SET state = $4, reason = $5, state_changed_at = now(),
              synchronized_at = CASE WHEN $4 = 'synchronized' THEN now() ELSE synchronized_at END,
              applied_at = CASE WHEN $4 = 'applied' THEN now() ELSE applied_at END
         FROM rollouts r
        WHERE r.id = ra.rollout_id AND r.kind = 'agent_package' AND r.state <> 'cancelled'
          AND ra.rollout_id = $1 AND ra.agent_id = $2 AND ra.attempts = $3 AND ra.state = ANY($6::text[])`,
      [rolloutId, agentId, attempt, state, reason, allowedFrom],
    )) as [unknown, number];
    return count > 0;
  }

  /**
   * Entries under way whose agent now runs the rollout's version (it said so at hello): applied, even if
   * its `upgraded` was lost with a connection. Returns the rollouts that changed.
   */
  reconcileVersions(): Promise<string[]> {
    return reconcileVersions(this.db);
  }
}
