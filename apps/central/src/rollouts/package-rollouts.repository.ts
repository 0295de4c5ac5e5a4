import { Injectable } from '@nestjs/common';
import { DataSource } from 'typeorm';
import { type AgentUpgradeState } from '../../../../libs/protocol/index.js';
import { type RolloutAgentState } from './rollout-agent-state.js';
import { type NewRollout } from './rollouts.repository.js';

/** An entry of a package rollout that is due an `agent.upgrade` on a session this node holds. */
export interface DueUpgrade {
  rolloutId: string;
  agentId: string;
  attempts: number;
  state: RolloutAgentState;
  sessionId: string;
  version: string;
  sha256: string;
  sizeBytes: number;
  manifest: string;
  centralSignature: Buffer;
}

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
 * SQL of rollouts that deliver agent packages (ADR 45). They share `rollouts` and `rollout_agents` with
 * profile rollouts, so waves, thresholds, pause, approval and step timeouts are the same code
 * (RolloutWaves); only sending and recording answers differ (PackageDispatcher).
 */
@Injectable()
export class PackageRolloutsRepository {
  constructor(private readonly db: DataSource) {}

  async packageExists(version: string): Promise<boolean> {
    const rows = (await this.db.query('SELECT 1 FROM agent_packages WHERE version = $1', [
      version,
    ])) as unknown[];
    return rows.length > 0;
  }

  /**
   * Agents that need an upgrade: those that said hello without the `wss` capability (the migration
   * gate's "cannot connect securely"), and those a running rollout marked needs_upgrade.
   */
  async agentsNeedingUpgrade(): Promise<
    Array<{ id: string; agentVersion: string | null; capabilities: string[] }>
  > {
    const rows = (await this.db.query(
      `SELECT id, agent_version, capabilities FROM agents a
        WHERE revoked_at IS NULL
          AND (   (agent_version IS NOT NULL AND NOT coalesce(capabilities, '[]'::jsonb) ? 'wss')
               OR EXISTS (SELECT 1 FROM rollout_agents ra JOIN rollouts r ON r.id = ra.rollout_id
                           WHERE ra.agent_id = a.id AND ra.state = 'needs_upgrade'
                             AND r.state IN ('running', 'paused', 'awaiting_approval', 'halted')))
        ORDER BY id`,
    )) as Array<Record<string, unknown>>;
    return rows.map((r) => ({
      id: r.id as string,
      agentVersion: r.agent_version as string | null,
      capabilities: (r.capabilities as string[] | null) ?? [],
    }));
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

  /**
   * Entries of sending package rollouts (their wave reached) whose agent is online on this node and was
   * not sent `agent.upgrade` on its current session yet: pending ones, and stale ones (sent again).
   */
  async due(nodeId: string, limit: number): Promise<DueUpgrade[]> {
    const rows = (await this.db.query(
      `SELECT ra.rollout_id, ra.agent_id, ra.attempts, ra.state, a.session_id,
              p.version, p.sha256, p.size_bytes, p.manifest, p.central_signature
         FROM rollout_agents ra
         JOIN rollouts r ON r.id = ra.rollout_id
         JOIN agent_packages p ON p.version = r.package_version
         JOIN agents a ON a.id = ra.agent_id
        WHERE r.kind = 'agent_package' AND r.state IN ('running', 'awaiting_approval')
          AND ra.wave <= r.current_wave AND ra.state IN ('pending', 'stale')
          AND a.node_id = $1 AND a.connection_status = 'online' AND a.session_id IS NOT NULL
          AND ra.sent_session IS DISTINCT FROM a.session_id
        ORDER BY r.created_at, ra.agent_id LIMIT $2`,
      [nodeId, limit],
    )) as Array<Record<string, unknown>>;
    return rows.map((r) => ({
      rolloutId: r.rollout_id as string,
      agentId: r.agent_id as string,
      attempts: Number(r.attempts),
      state: r.state as RolloutAgentState,
      sessionId: r.session_id as string,
      version: r.version as string,
      sha256: r.sha256 as string,
      sizeBytes: Number(r.size_bytes),
      manifest: r.manifest as string,
      centralSignature: r.central_signature as Buffer,
    }));
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
  async reconcileVersions(): Promise<string[]> {
    const rows = (await this.db.query(
      `UPDATE rollout_agents ra
          SET state = 'applied', reason = NULL, state_changed_at = now(), applied_at = now()
         FROM rollouts r, agents a
        WHERE r.id = ra.rollout_id AND a.id = ra.agent_id AND r.kind = 'agent_package'
          AND r.state IN ('running', 'paused', 'awaiting_approval', 'halted')
          AND ra.state IN ('synchronizing', 'synchronized', 'applying', 'stale')
          AND ra.attempts > 0 AND a.agent_version = r.package_version
        RETURNING ra.rollout_id`,
    )) as [Array<{ rollout_id: string }>, number];
    return [...new Set((rows[0] ?? []).map((r) => r.rollout_id))];
  }
}
