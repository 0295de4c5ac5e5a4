import { type DataSource } from 'typeorm';
import { AGENT_STATUS_VIEW } from '../agents/agents.repository.js';
import { type AgentGateFacts } from './agent-gate-facts.js';
import { type Phase } from './migration-phase.js';

export interface MigrationState {
  phase: Phase;
  pending: { rolloutId: string; profile: string | null; revision: number | null; since: Date } | null;
  changedAt: Date;
  changedBy: string;
}

export type TransitionKind =
  'advance' | 'rollback' | 'rollout_started' | 'rollout_accepted' | 'rollout_completed';

export interface Transition {
  id: string;
  at: Date;
  actor: string;
  kind: TransitionKind;
  from: Phase;
  to: Phase;
  reason: string;
  forced: boolean;
  acknowledged: string[];
  /** How many were acknowledged (`acknowledged` may list only the first of them). */
  acknowledgedCount?: number;
  details: Record<string, unknown>;
}

export interface Exemption {
  agentId: string;
  reason: string;
  expiresAt: Date;
  createdAt: Date;
  createdBy: string;
  active: boolean;
}

/** The migration's SQL (ADR 3). A plain class: central and the `migrate` CLI both construct it. */
export class MigrationRepository {
  constructor(private readonly db: Pick<DataSource, 'query' | 'transaction'>) {}

  async state(): Promise<MigrationState> {
    const [r] = (await this.db.query(
      `SELECT phase, pending_rollout_id, pending_profile, pending_revision, pending_since, changed_at, changed_by
         FROM migration_state WHERE id = 1`,
    )) as Array<Record<string, unknown>>;
    if (!r) throw new Error('migration_state is empty: the database migrations did not run');
    return {
      phase: r.phase as Phase,
      pending: r.pending_rollout_id
        ? {
            rolloutId: r.pending_rollout_id as string,
            profile: r.pending_profile as string | null,
            revision: r.pending_revision as number | null,
            since: r.pending_since as Date,
          }
        : null,
      changedAt: r.changed_at as Date,
      changedBy: r.changed_by as string,
    };
  }

  /**
   * Moves from `from` to `to` and records the transition in one transaction; false when someone else
   * moved the phase first (optimistic: the caller re-reads and reports a conflict).
   */
  async transition(
    expected: { phase: Phase; rolloutId: string | null },
    next: { phase: Phase; pending: MigrationState['pending'] },
    t: Omit<Transition, 'id' | 'at'>,
  ): Promise<boolean> {
    return this.db.transaction(async (tx) => {
      const rows = (await tx.query(
        `UPDATE migration_state
            SET phase = $1, pending_rollout_id = $2, pending_profile = $3, pending_revision = $4,
                pending_since = $5, changed_at = now(), changed_by = $6
          WHERE id = 1 AND phase = $7 AND pending_rollout_id IS NOT DISTINCT FROM $8
          RETURNING phase`,
        [
          next.phase,
          next.pending?.rolloutId ?? null,
          next.pending?.profile ?? null,
          next.pending?.revision ?? null,
          next.pending?.since ?? null,
          t.actor,
          expected.phase,
          expected.rolloutId,
        ],
      )) as [unknown[], number];
      if (rows[1] === 0) return false;
      await tx.query(
        `INSERT INTO migration_transitions (actor, kind, from_phase, to_phase, reason, forced, acknowledged, details)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8)`,
        [
          t.actor,
          t.kind,
          t.from,
          t.to,
          t.reason,
          t.forced,
          JSON.stringify(t.acknowledged),
          JSON.stringify(t.details),
        ],
      );
      return true;
    });
  }

  /** The newest steps; `acknowledged` lists at most `listed` ids (`acknowledgedCount` has them all). */
  async history(limit = 50, listed = 100): Promise<Transition[]> {
    const rows = (await this.db.query(
      `SELECT id, at, actor, kind, from_phase, to_phase, reason, forced, details,
              jsonb_array_length(acknowledged) AS acknowledged_count,
              coalesce((SELECT jsonb_agg(x) FROM (SELECT x FROM jsonb_array_elements(acknowledged) x LIMIT $2) l), '[]')
                AS acknowledged
         FROM migration_transitions ORDER BY id DESC LIMIT $1`,
      [limit, listed],
    )) as Array<Record<string, unknown>>;
    return rows.map((r) => ({
      id: String(r.id),
      at: r.at as Date,
      actor: r.actor as string,
      kind: r.kind as TransitionKind,
      from: r.from_phase as Phase,
      to: r.to_phase as Phase,
      reason: r.reason as string,
      forced: r.forced as boolean,
      acknowledged: r.acknowledged as string[],
      acknowledgedCount: r.acknowledged_count as number,
      details: r.details as Record<string, unknown>,
    }));
  }

  /** Every registered (not revoked) agent with its history, active exemption and latest publish step. */
  async gateFacts(): Promise<{ now: Date; agents: AgentGateFacts[] }> {
    const rows = (await this.db.query(
      `SELECT v.id, v.status, v.transport, v.via, v.agent_version, v.capabilities, v.connected_at, v.last_seen_at,
              v.groups, v.reported_groups, v.enrolled_at,
              s.last_transport, s.last_connected_at, s.last_secure_at, s.last_plain_at,
              s.longest_offline_gap_seconds,
              e.reason AS exemption_reason, e.expires_at AS exemption_expires_at,
              f.rollout_id, f.state AS rollout_state, f.reason AS rollout_reason,
              now() AS db_now
         FROM (${AGENT_STATUS_VIEW}) v
         LEFT JOIN agent_connection_stats s ON s.agent_id = v.id
         LEFT JOIN migration_exemptions e ON e.agent_id = v.id AND e.expires_at > now()
         LEFT JOIN LATERAL (
           SELECT ra.rollout_id, ra.state, ra.reason FROM rollout_agents ra
             JOIN rollouts r ON r.id = ra.rollout_id AND r.mode = 'publish'
            WHERE ra.agent_id = v.id ORDER BY r.created_at DESC LIMIT 1) f ON true
        WHERE v.revoked_at IS NULL
        ORDER BY v.id`,
    )) as Array<Record<string, unknown>>;
    const now = rows[0] ? (rows[0].db_now as Date) : await this.now();
    return {
      now,
      agents: rows.map((r) => ({
        id: r.id as string,
        status: r.status as AgentGateFacts['status'],
        transport: r.transport as string | null,
        via: (r.via as string | null) ?? null,
        agentVersion: r.agent_version as string | null,
        capabilities: (r.capabilities as string[] | null) ?? [],
        connectedAt: r.connected_at as Date | null,
        lastSeenAt: r.last_seen_at as Date | null,
        groups: [...new Set([...(r.groups as string[]), ...(r.reported_groups as string[])])].sort(),
        enrolledAt: r.enrolled_at as Date,
        history: r.last_connected_at
          ? {
              lastTransport: r.last_transport as string | null,
              lastConnectedAt: r.last_connected_at as Date,
              lastSecureAt: r.last_secure_at as Date | null,
              lastPlainAt: r.last_plain_at as Date | null,
              longestOfflineGapSeconds: Number(r.longest_offline_gap_seconds),
            }
          : null,
        exemption: r.exemption_reason
          ? { reason: r.exemption_reason as string, expiresAt: r.exemption_expires_at as Date }
          : null,
        rollout: r.rollout_id
          ? {
              rolloutId: r.rollout_id as string,
              state: r.rollout_state as string,
              reason: r.rollout_reason as string | null,
            }
          : null,
      })),
    };
  }

  async now(): Promise<Date> {
    const [r] = (await this.db.query('SELECT now() AS now')) as Array<{ now: Date }>;
    return r!.now;
  }

  async agentExists(id: string): Promise<boolean> {
    const rows = (await this.db.query('SELECT 1 FROM agents WHERE id = $1 AND revoked_at IS NULL', [
      id,
    ])) as unknown[];
    return rows.length > 0;
  }

  async onlineOverSecure(): Promise<string[]> {
    const rows = (await this.db.query(
      `SELECT id FROM (${AGENT_STATUS_VIEW}) v WHERE v.status = 'online' AND v.transport LIKE 'secure%' ORDER BY id`,
    )) as Array<{ id: string }>;
    return rows.map((r) => r.id);
  }

  async upsertExemption(e: { agentId: string; reason: string; expiresAt: Date; createdBy: string }) {
    await this.db.query(
      `INSERT INTO migration_exemptions (agent_id, reason, expires_at, created_by) VALUES ($1, $2, $3, $4)
       ON CONFLICT (agent_id) DO UPDATE SET reason = EXCLUDED.reason, expires_at = EXCLUDED.expires_at,
         created_by = EXCLUDED.created_by, created_at = now()`,
      [e.agentId, e.reason, e.expiresAt, e.createdBy],
    );
  }

  async deleteExemption(agentId: string): Promise<boolean> {
    const rows = (await this.db.query(
      'DELETE FROM migration_exemptions WHERE agent_id = $1 RETURNING agent_id',
      [agentId],
    )) as [unknown[], number];
    return rows[1] > 0;
  }

  /** Every exemption, or one page of them (by agent id). */
  async exemptions(page?: { limit?: number; offset: number }): Promise<Exemption[]> {
    const rows = (await this.db.query(
      `SELECT agent_id, reason, expires_at, created_at, created_by, expires_at > now() AS active
         FROM migration_exemptions ORDER BY agent_id LIMIT $1 OFFSET $2`,
      [page?.limit ?? null, page?.offset ?? 0],
    )) as Array<Record<string, unknown>>;
    return rows.map((r) => ({
      agentId: r.agent_id as string,
      reason: r.reason as string,
      expiresAt: r.expires_at as Date,
      createdAt: r.created_at as Date,
      createdBy: r.created_by as string,
      active: r.active as boolean,
    }));
  }

  async exemptionCount(): Promise<number> {
    const [r] = (await this.db.query('SELECT count(*)::int AS n FROM migration_exemptions')) as Array<{
      n: number;
    }>;
    return r!.n;
  }

  /** `central.host` of every profile draft and of every revision some agent should run. */
  async profileCentralHosts(): Promise<string[]> {
    const rows = (await this.db.query(
      `SELECT draft_agent_conf AS conf FROM profiles
       UNION ALL
       SELECT r.agent_conf FROM profile_revisions r
         JOIN (SELECT DISTINCT profile_name, revision FROM agent_desired_profiles) d
           ON d.profile_name = r.profile_name AND d.revision = r.revision`,
    )) as Array<{ conf: string }>;
    return rows.map((r) => r.conf);
  }

  async revision(
    profile: string,
    revision: number,
  ): Promise<
    { agentConf: string; truststore: Array<{ fingerprintSha256?: string; pem?: string }> } | undefined
  > {
    const [r] = (await this.db.query(
      'SELECT agent_conf, truststore FROM profile_revisions WHERE profile_name = $1 AND revision = $2',
      [profile, revision],
    )) as Array<Record<string, unknown>>;
    return r
      ? {
          agentConf: r.agent_conf as string,
          truststore: r.truststore as Array<{ fingerprintSha256?: string; pem?: string }>,
        }
      : undefined;
  }
}
