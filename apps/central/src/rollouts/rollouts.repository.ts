import { Injectable } from '@nestjs/common';
import { DataSource } from 'typeorm';
import { AGENT_STATUS_VIEW } from '../agents/agents.repository.js';
import { type RolloutAgentState } from './rollout-agent-state.js';
import {
  type RevisionFacts,
  type Rollout,
  type RolloutAgentView,
  type RolloutState,
  type RolloutTargets,
  SHOWN_TARGET_IDS,
  type ShownTargets,
} from './rollout.types.js';

export interface Queryable {
  query(sql: string, params?: unknown[]): Promise<unknown>;
}

export interface TargetAgent {
  id: string;
  agentVersion: string | null;
  capabilities: string[];
}

export interface NewRollout extends Omit<
  Rollout,
  | 'id'
  | 'targets'
  | 'currentWave'
  | 'state'
  | 'stateReason'
  | 'createdAt'
  | 'updatedAt'
  | 'finishedAt'
  | 'kind'
  | 'packageVersion'
> {
  targets: RolloutTargets;
  entries: Array<{ agentId: string; wave: number; state: RolloutAgentState; reason: string | null }>;
}

export interface AgentsPage {
  limit: number;
  offset: number;
  /** Only agents in these states; all when absent. */
  states?: readonly RolloutAgentState[];
}

export interface WaveStateCount {
  wave: number;
  state: RolloutAgentState;
  count: number;
}

// A list of agent ids leaves the database cut to its first SHOWN_TARGET_IDS (ShownTargets).
const SHOWN_TARGETS = `CASE WHEN targets ? 'agentIds' THEN jsonb_build_object(
    'agentIds', jsonb_path_query_array(targets, '$.agentIds[0 to ${SHOWN_TARGET_IDS - 1}]'),
    'agentIdCount', jsonb_array_length(targets->'agentIds'))
  ELSE targets END AS targets`;

const ROLLOUT_COLUMNS = `id, profile_name, revision, mode, ${SHOWN_TARGETS}, waves, wave_count, current_wave,
  success_threshold_percent, pause_between_waves, error_threshold, state, state_reason, step_timeout_seconds,
  created_at, created_by, updated_at, finished_at, kind, package_version`;

/** States in which a rollout still acts (its waves may still move). */
export const ACTIVE_ROLLOUT_STATES: RolloutState[] = ['running', 'paused', 'awaiting_approval'];

/** Rollouts and their target agents (ADR 3: SQL here, nowhere else). */
@Injectable()
export class RolloutsRepository {
  constructor(private readonly db: DataSource) {}

  transaction<T>(work: (tx: Queryable) => Promise<T>): Promise<T> {
    return this.db.transaction((tx) => work(tx));
  }

  async revision(profile: string, revision: number): Promise<RevisionFacts | undefined> {
    const [row] = (await this.db.query(
      `SELECT profile_name, revision, sha256, size_bytes, minimum_agent_version, required_capabilities
         FROM profile_revisions WHERE profile_name = $1 AND revision = $2`,
      [profile, revision],
    )) as Array<Record<string, unknown>>;
    return row ? toRevision(row) : undefined;
  }

  /** Enrolled, unrevoked agents a target selects, in a stable order (waves are cut from it). */
  async targetAgents(targets: RolloutTargets): Promise<TargetAgent[]> {
    const where =
      'all' in targets
        ? 'TRUE'
        : 'agentIds' in targets
          ? 'id = ANY($1::text[])'
          : '(groups && $1::text[] OR reported_groups && $1::text[])';
    const params = 'all' in targets ? [] : ['agentIds' in targets ? targets.agentIds : targets.groups];
    const rows = (await this.db.query(
      `SELECT id, agent_version, capabilities FROM agents WHERE revoked_at IS NULL AND ${where} ORDER BY id`,
      params,
    )) as Array<Record<string, unknown>>;
    return rows.map((r) => ({
      id: r.id as string,
      agentVersion: r.agent_version as string | null,
      capabilities: (r.capabilities as string[] | null) ?? [],
    }));
  }

  /**
   * Stores the rollout with its resolved entries. Older rollouts' unfinished entries for the same agents
   * are cancelled: one agent follows one rollout at a time, the newest. Entries that finished, and a
   * cancelled rollout's record, stay as they were (ADR 28).
   */
  async insert(r: NewRollout): Promise<{ id: string; superseded: number }> {
    return this.transaction(async (tx) => {
      const [row] = (await tx.query(
        `INSERT INTO rollouts (profile_name, revision, mode, targets, waves, wave_count, success_threshold_percent,
                               pause_between_waves, error_threshold, step_timeout_seconds, created_by)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11) RETURNING id`,
        [
          r.profile,
          r.revision,
          r.mode,
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
      const [, superseded] = (await tx.query(
        `UPDATE rollout_agents ra SET state = 'cancelled', reason = $2, state_changed_at = now()
           FROM rollouts r
          WHERE r.id = ra.rollout_id AND ra.agent_id = ANY($1::text[]) AND ra.rollout_id <> $3
            AND r.state <> 'cancelled' AND r.kind = 'profile'
            AND (ra.state IN ('pending', 'stale', 'synchronizing', 'applying')
                 OR (ra.state = 'synchronized' AND r.mode = 'publish'))`,
        [ids, `superseded by rollout ${row.id}`, row.id],
      )) as [unknown, number];
      await tx.query(
        `INSERT INTO rollout_agents (rollout_id, activates, agent_id, wave, state, reason)
         SELECT $1, $6, agent_id, wave, state, reason
           FROM unnest($2::text[], $3::int[], $4::text[], $5::text[]) AS e(agent_id, wave, state, reason)`,
        [
          row.id,
          ids,
          r.entries.map((e) => e.wave),
          r.entries.map((e) => e.state),
          r.entries.map((e) => e.reason),
          r.mode === 'publish',
        ],
      );
      return { id: row.id, superseded };
    });
  }

  async list(limit: number, offset: number): Promise<Rollout[]> {
    const rows = (await this.db.query(
      `SELECT ${ROLLOUT_COLUMNS} FROM rollouts ORDER BY created_at DESC, id LIMIT $1 OFFSET $2`,
      [limit, offset],
    )) as Array<Record<string, unknown>>;
    return rows.map(toRollout);
  }

  async find(id: string, q: Queryable = this.db): Promise<Rollout | undefined> {
    const [row] = (await q.query(`SELECT ${ROLLOUT_COLUMNS} FROM rollouts WHERE id = $1`, [id])) as Array<
      Record<string, unknown>
    >;
    return row ? toRollout(row) : undefined;
  }

  /** Rollouts whose waves the tick evaluates. */
  async evaluable(q: Queryable): Promise<Rollout[]> {
    const rows = (await q.query(
      `SELECT ${ROLLOUT_COLUMNS} FROM rollouts WHERE state IN ('running', 'awaiting_approval') ORDER BY created_at`,
    )) as Array<Record<string, unknown>>;
    return rows.map(toRollout);
  }

  async waveCounts(ids: string[], q: Queryable = this.db): Promise<Map<string, WaveStateCount[]>> {
    const rows = (await q.query(
      `SELECT rollout_id, wave, state, count(*)::int AS count FROM rollout_agents
        WHERE rollout_id = ANY($1::uuid[]) GROUP BY rollout_id, wave, state ORDER BY rollout_id, wave, state`,
      [ids],
    )) as Array<{ rollout_id: string; wave: number; state: RolloutAgentState; count: number }>;
    const byRollout = new Map<string, WaveStateCount[]>(ids.map((id) => [id, []]));
    for (const r of rows) byRollout.get(r.rollout_id)?.push({ wave: r.wave, state: r.state, count: r.count });
    return byRollout;
  }

  /** One page of the rollout's agents by wave then id, optionally only those in `states`. */
  async agents(id: string, page: AgentsPage): Promise<RolloutAgentView[]> {
    // The page is cut before the status view is joined: a page of 100 reads 100 agents, not the fleet.
    const rows = (await this.db.query(
      `SELECT ra.agent_id, ra.wave, ra.state, ra.reason, ra.attempts, ra.state_changed_at, ra.sent_at,
              ra.synchronized_at, ra.applied_at, v.status AS connection
         FROM (SELECT * FROM rollout_agents
                WHERE rollout_id = $1 AND ($2::text[] IS NULL OR state = ANY($2::text[]))
                ORDER BY wave, agent_id LIMIT $3 OFFSET $4) ra
         JOIN (${AGENT_STATUS_VIEW}) v ON v.id = ra.agent_id
        ORDER BY ra.wave, ra.agent_id`,
      [id, page.states ?? null, page.limit, page.offset],
    )) as Array<Record<string, unknown>>;
    return rows.map((r) => ({
      agentId: r.agent_id as string,
      wave: r.wave as number,
      state: r.state as RolloutAgentState,
      reason: r.reason as string | null,
      attempts: r.attempts as number,
      connection: r.connection as string,
      stateChangedAt: r.state_changed_at as Date,
      sentAt: r.sent_at as Date | null,
      synchronizedAt: r.synchronized_at as Date | null,
      appliedAt: r.applied_at as Date | null,
    }));
  }

  /** Moves the rollout only if it is still in one of `from` (a concurrent change wins; the caller says 409). */
  async setState(
    id: string,
    from: RolloutState[],
    to: RolloutState,
    opts: { reason?: string | null; nextWave?: boolean } = {},
    q: Queryable = this.db,
  ): Promise<boolean> {
    const [, count] = (await q.query(
      `UPDATE rollouts SET state = $3, state_reason = $4, updated_at = now(),
              current_wave = CASE WHEN $5 THEN LEAST(current_wave + 1, wave_count) ELSE current_wave END,
              finished_at = CASE WHEN $3 IN ('completed', 'cancelled') THEN now() ELSE NULL END
        WHERE id = $1 AND state = ANY($2::text[])`,
      [id, from, to, opts.reason ?? null, opts.nextWave ?? false],
    )) as [unknown, number];
    return count > 0;
  }

  /** Entries nothing was answered for yet stop where they are: they are never sent anything now. */
  async cancelUnstarted(id: string, q: Queryable = this.db): Promise<number> {
    const [, count] = (await q.query(
      `UPDATE rollout_agents SET state = 'cancelled', reason = 'rollout cancelled', state_changed_at = now()
        WHERE rollout_id = $1 AND state IN ('pending', 'stale')`,
      [id],
    )) as [unknown, number];
    return count;
  }

  /** Failed and stale entries start over with a new attempt (answers to the old one are then ignored). */
  async retryFailed(id: string, q: Queryable = this.db): Promise<number> {
    const [, count] = (await q.query(
      `UPDATE rollout_agents SET state = 'pending', reason = NULL, attempts = attempts + 1, state_changed_at = now(),
              sent_step = NULL, sent_at = NULL, sent_session = NULL
        WHERE rollout_id = $1 AND state IN ('failed', 'stale')`,
      [id],
    )) as [unknown, number];
    return count;
  }

  /** Rollouts by state, and the agents of unfinished rollouts by delivery state (for metrics). */
  async gauges(): Promise<{ rollouts: Record<string, number>; agents: Record<string, number> }> {
    const [rollouts, agents] = (await Promise.all([
      this.db.query(`SELECT state, count(*)::int AS n FROM rollouts GROUP BY state`),
      this.db.query(
        `SELECT ra.state, count(*)::int AS n FROM rollout_agents ra JOIN rollouts r ON r.id = ra.rollout_id
          WHERE r.finished_at IS NULL GROUP BY ra.state`,
      ),
    ])) as [Array<{ state: string; n: number }>, Array<{ state: string; n: number }>];
    return {
      rollouts: Object.fromEntries(rollouts.map((r) => [r.state, r.n])),
      agents: Object.fromEntries(agents.map((r) => [r.state, r.n])),
    };
  }
}

export function toRevision(r: Record<string, unknown>): RevisionFacts {
  return {
    profile: r.profile_name as string,
    revision: r.revision as number,
    sha256: r.sha256 as string,
    sizeBytes: r.size_bytes as number,
    minimumAgentVersion: r.minimum_agent_version as string,
    requiredCapabilities: (r.required_capabilities as string[] | null) ?? [],
  };
}

function toRollout(r: Record<string, unknown>): Rollout {
  return {
    id: r.id as string,
    profile: r.profile_name as string,
    revision: r.revision as number,
    mode: r.mode as Rollout['mode'],
    targets: r.targets as ShownTargets,
    waves: r.waves as Rollout['waves'],
    waveCount: r.wave_count as number,
    currentWave: r.current_wave as number,
    successThresholdPercent: r.success_threshold_percent as number,
    pauseBetweenWaves: r.pause_between_waves as boolean,
    errorThreshold: r.error_threshold as Rollout['errorThreshold'],
    state: r.state as RolloutState,
    stateReason: r.state_reason as string | null,
    stepTimeoutSeconds: r.step_timeout_seconds as number,
    createdAt: r.created_at as Date,
    createdBy: r.created_by as string,
    updatedAt: r.updated_at as Date,
    finishedAt: r.finished_at as Date | null,
    kind: (r.kind as Rollout['kind'] | undefined) ?? 'profile',
    packageVersion: (r.package_version as string | null | undefined) ?? null,
  };
}
