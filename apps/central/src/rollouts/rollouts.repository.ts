import { Injectable } from '@nestjs/common';
import { DataSource } from 'typeorm';
import { type RolloutAgentState } from './rollout-agent-state.js';
import {
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

/** The rollout states from which failed agents may be retried (`retry-failed`, and the bulk retry). */
export const RETRY_FROM: readonly string[] = [
  'running',
  'paused',
  'awaiting_approval',
  'halted',
  'completed',
];

/** States in which a rollout still acts (its waves may still move). */
export const ACTIVE_ROLLOUT_STATES: RolloutState[] = ['running', 'paused', 'awaiting_approval'];

/** Rollouts and their target agents (ADR 3: SQL here, nowhere else). */
@Injectable()
export class RolloutsRepository {
  constructor(private readonly db: DataSource) {}

  transaction<T>(work: (tx: Queryable) => Promise<T>): Promise<T> {
    return this.db.transaction((tx) => work(tx));
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
    )) as RolloutRow[];
    return rows.map(toRollout);
  }

  async find(id: string, q: Queryable = this.db): Promise<Rollout | undefined> {
    const [row] = (await q.query(`SELECT ${ROLLOUT_COLUMNS} FROM rollouts WHERE id = $1`, [
      id,
    ])) as RolloutRow[];
    return row ? toRollout(row) : undefined;
  }

  /** Rollouts whose waves the tick evaluates. */
  async evaluable(q: Queryable): Promise<Rollout[]> {
    const rows = (await q.query(
      `SELECT ${ROLLOUT_COLUMNS} FROM rollouts WHERE state IN ('running', 'awaiting_approval') ORDER BY created_at`,
    )) as RolloutRow[];
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

  /**
   * One page of the rollout's agents by wave then id, optionally only those in `states`; their connection
   * comes from the agents domain (RolloutsService).
   */
  async agents(id: string, page: AgentsPage): Promise<Array<Omit<RolloutAgentView, 'connection'>>> {
    const rows = (await this.db.query(
      `SELECT agent_id, wave, state, reason, attempts, state_changed_at, sent_at, synchronized_at, applied_at
         FROM rollout_agents
        WHERE rollout_id = $1 AND ($2::text[] IS NULL OR state = ANY($2::text[]))
        ORDER BY wave, agent_id LIMIT $3 OFFSET $4`,
      [id, page.states ?? null, page.limit, page.offset],
    )) as RolloutAgentRow[];
    return rows.map((r) => ({
      agentId: r.agent_id,
      wave: r.wave,
      state: r.state,
      reason: r.reason,
      attempts: r.attempts,
      stateChangedAt: r.state_changed_at,
      sentAt: r.sent_at,
      synchronizedAt: r.synchronized_at,
      appliedAt: r.applied_at,
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

  /** The rollout's state, its row locked until `q`'s transaction ends; undefined: no such rollout. */
  async lockState(id: string, q: Queryable): Promise<string | undefined> {
    const [row] = rowsOf<{ state: string }>(
      await q.query('SELECT state FROM rollouts WHERE id = $1 FOR UPDATE', [id]),
    );
    return row?.state;
  }

  /** Each of these agents' state in the rollout (absent: not targeted by it). */
  async entryStates(id: string, agentIds: string[], q: Queryable): Promise<Map<string, string>> {
    const rows = rowsOf<{ agent_id: string; state: string }>(
      await q.query(
        'SELECT agent_id, state FROM rollout_agents WHERE rollout_id = $1 AND agent_id = ANY($2::text[])',
        [id, agentIds],
      ),
    );
    return new Map(rows.map((r) => [r.agent_id, r.state]));
  }

  /**
   * Failed and stale entries of these agents start over with a new attempt, as `retryFailed` does for the
   * whole rollout; a rollout the error threshold halted goes on. Answers the agents retried.
   */
  async retryAgents(id: string, agentIds: string[], q: Queryable): Promise<string[]> {
    const retried = rowsOf<{ agent_id: string }>(
      await q.query(
        `UPDATE rollout_agents SET state = 'pending', reason = NULL, attempts = attempts + 1, state_changed_at = now(),
                sent_step = NULL, sent_at = NULL, sent_session = NULL
          WHERE rollout_id = $1 AND agent_id = ANY($2::text[]) AND state IN ('failed', 'stale')
          RETURNING agent_id`,
        [id, agentIds],
      ),
    ).map((r) => r.agent_id);
    if (retried.length > 0)
      await q.query(
        `UPDATE rollouts SET state = 'running', state_reason = NULL, updated_at = now(), finished_at = NULL
          WHERE id = $1 AND state = 'halted'`,
        [id],
      );
    return retried;
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

interface RolloutAgentRow {
  agent_id: string;
  wave: number;
  state: RolloutAgentState;
  reason: string | null;
  attempts: number;
  state_changed_at: Date;
  sent_at: Date | null;
  synchronized_at: Date | null;
  applied_at: Date | null;
}

/** A row of ROLLOUT_COLUMNS. */
interface RolloutRow {
  id: string;
  profile_name: string;
  revision: number;
  mode: Rollout['mode'];
  targets: ShownTargets;
  waves: Rollout['waves'];
  wave_count: number;
  current_wave: number;
  success_threshold_percent: number;
  pause_between_waves: boolean;
  error_threshold: Rollout['errorThreshold'];
  state: RolloutState;
  state_reason: string | null;
  step_timeout_seconds: number;
  created_at: Date;
  created_by: string;
  updated_at: Date;
  finished_at: Date | null;
  kind: Rollout['kind'] | null;
  package_version: string | null;
}

function toRollout(r: RolloutRow): Rollout {
  return {
    id: r.id,
    profile: r.profile_name,
    revision: r.revision,
    mode: r.mode,
    targets: r.targets,
    waves: r.waves,
    waveCount: r.wave_count,
    currentWave: r.current_wave,
    successThresholdPercent: r.success_threshold_percent,
    pauseBetweenWaves: r.pause_between_waves,
    errorThreshold: r.error_threshold,
    state: r.state,
    stateReason: r.state_reason,
    stepTimeoutSeconds: r.step_timeout_seconds,
    createdAt: r.created_at,
    createdBy: r.created_by,
    updatedAt: r.updated_at,
    finishedAt: r.finished_at,
    kind: r.kind ?? 'profile',
    packageVersion: r.package_version ?? null,
  };
}

/** UPDATE/DELETE answer `[rows, count]` through TypeORM, SELECT/INSERT answer the rows. */
function rowsOf<T>(result: unknown): T[] {
  const r = result as unknown[];
  if (r.length === 2 && Array.isArray(r[0]) && typeof r[1] === 'number') return r[0] as T[];
  return r as T[];
}
