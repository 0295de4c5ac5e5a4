import { Injectable } from '@nestjs/common';
import { DataSource } from 'typeorm';
import { goalOf, type RolloutAgentState, type RolloutMode } from './rollout-agent-state.js';
import { type RolloutState } from './rollout.types.js';

/** An unfinished rollout (running, paused, awaiting approval or halted) and where its targets are. */
export interface ActiveRollout {
  id: string;
  profile: string;
  revision: number;
  mode: RolloutMode;
  state: RolloutState;
  stateReason: string | null;
  currentWave: number;
  waveCount: number;
  /** Every targeted agent, whatever its state: progress is `done` of these (never of fewer). */
  targetCount: number;
  /** Targets at the rollout's goal (applied for publish, synchronized for synchronize). */
  done: number;
  states: Partial<Record<RolloutAgentState, number>>;
  createdAt: Date;
  updatedAt: Date;
}

/** A target that reported a failed delivery (fetch, verify, stage or apply). */
export interface FailedDelivery {
  agentId: string;
  rolloutId: string;
  profile: string;
  revision: number;
  mode: RolloutMode;
  reason: string | null;
  at: Date;
}

interface ActiveRow {
  id: string;
  profile_name: string;
  revision: number;
  mode: RolloutMode;
  state: RolloutState;
  state_reason: string | null;
  current_wave: number;
  wave_count: number;
  created_at: Date;
  updated_at: Date;
  entry_state: RolloutAgentState | null;
  n: number;
}

interface FailureRow {
  agent_id: string;
  rollout_id: string;
  profile_name: string;
  revision: number;
  mode: RolloutMode;
  reason: string | null;
  state_changed_at: Date;
  total: number;
}

/** Rollouts as the overview shows them: grouped in the database, one row per rollout and state. */
@Injectable()
export class RolloutsOverviewRepository {
  constructor(private readonly db: DataSource) {}

  async active(): Promise<ActiveRollout[]> {
    const rows = (await this.db.query(
      `SELECT r.id, r.profile_name, r.revision, r.mode, r.state, r.state_reason, r.current_wave, r.wave_count,
              r.created_at, r.updated_at, ra.state AS entry_state, count(ra.agent_id)::int AS n
         FROM rollouts r LEFT JOIN rollout_agents ra ON ra.rollout_id = r.id
        WHERE r.state IN ('running', 'paused', 'awaiting_approval', 'halted')
        GROUP BY r.id, ra.state
        ORDER BY r.created_at DESC, r.id`,
    )) as ActiveRow[];
    const byId = new Map<string, ActiveRollout>();
    for (const row of rows) {
      let r = byId.get(row.id);
      if (!r) {
        r = {
          id: row.id,
          profile: row.profile_name,
          revision: row.revision,
          mode: row.mode,
          state: row.state,
          stateReason: row.state_reason,
          currentWave: row.current_wave,
          waveCount: row.wave_count,
          targetCount: 0,
          done: 0,
          states: {},
          createdAt: row.created_at,
          updatedAt: row.updated_at,
        };
        byId.set(row.id, r);
      }
      const state = row.entry_state;
      if (!state) continue;
      r.states[state] = row.n;
      r.targetCount += row.n;
      if (state === goalOf(r.mode)) r.done += row.n;
    }
    return [...byId.values()];
  }

  /** Failed deliveries since `hours` ago: how many, and the latest `limit` of them. */
  async recentFailures(hours: number, limit: number): Promise<{ count: number; latest: FailedDelivery[] }> {
    const rows = (await this.db.query(
      `SELECT ra.agent_id, ra.rollout_id, r.profile_name, r.revision, r.mode, ra.reason, ra.state_changed_at,
              count(*) OVER ()::int AS total
         FROM rollout_agents ra JOIN rollouts r ON r.id = ra.rollout_id
        WHERE ra.state = 'failed' AND ra.state_changed_at > now() - make_interval(hours => $1)
        ORDER BY ra.state_changed_at DESC, ra.agent_id
        LIMIT $2`,
      [hours, limit],
    )) as FailureRow[];
    return {
      count: rows[0]?.total ?? 0,
      latest: rows.map((r) => ({
        agentId: r.agent_id,
        rolloutId: r.rollout_id,
        profile: r.profile_name,
        revision: r.revision,
        mode: r.mode,
        reason: r.reason,
        at: r.state_changed_at,
      })),
    };
  }
}
