import { Injectable } from '@nestjs/common';
import { DataSource } from 'typeorm';
import { type RolloutProgress } from './rollout.types.js';

/** How many of the newest rollouts the live socket follows: older ones are finished or rarely watched. */
export const WATCHED_ROLLOUTS = 20;

export interface RolloutProgressPrint {
  id: string;
  /** What an operator would notice moving: state, wave, and per wave the counts per agent state. */
  print: string;
}

/** Entries whose delivery failed for good or is stuck: the migration names them (agent, state, reason). */
const FAILED_STATES = ['failed', 'stale', 'needs_upgrade'];

interface RolloutRow {
  id: string;
  profile_name: string;
  revision: number;
  mode: string;
  state: string;
  state_reason: string | null;
}

interface EntryCountRow {
  state: string;
  n: number;
}

interface FailedEntryRow {
  agent_id: string;
  state: string;
  reason: string | null;
}

interface PrintRow {
  id: string;
  state: string;
  state_reason: string | null;
  current_wave: number;
  counts: unknown;
}

/**
 * How far rollouts got, for the folders that follow them without owning them: the live socket (a cheap
 * fingerprint a second while a browser watches) and the migration (the secure rollout it waits for).
 * A plain class too: the `migrate` CLI constructs it on its own data source.
 */
@Injectable()
export class RolloutProgressRepository {
  constructor(private readonly db: DataSource) {}

  /**
   * Each recent rollout's state and its agents counted by wave and state (with the newest change, so a
   * reason moving within one state is seen too).
   */
  async prints(): Promise<RolloutProgressPrint[]> {
    const rows = (await this.db.query(
      `SELECT r.id, r.state, r.state_reason, r.current_wave,
              (SELECT coalesce(json_agg(json_build_array(c.wave, c.state, c.n, c.changed) ORDER BY c.wave, c.state), '[]'::json)
                 FROM (SELECT wave, state, count(*)::int AS n, max(state_changed_at) AS changed
                         FROM rollout_agents WHERE rollout_id = r.id GROUP BY wave, state) c) AS counts
         FROM rollouts r ORDER BY r.created_at DESC, r.id LIMIT $1`,
      [WATCHED_ROLLOUTS],
    )) as PrintRow[];
    return rows.map((r) => ({
      id: r.id,
      print: JSON.stringify([r.state, r.state_reason, r.current_wave, r.counts]),
    }));
  }

  /** One rollout's state, its agents counted by delivery state, and those that failed or are stuck. */
  async progressOf(rolloutId: string): Promise<RolloutProgress | undefined> {
    const [r] = (await this.db.query(
      `SELECT id, profile_name, revision, mode, state, state_reason FROM rollouts WHERE id = $1`,
      [rolloutId],
    )) as RolloutRow[];
    if (!r) return undefined;
    // Counted in the database, and only the failed entries leave it: a fleet-wide rollout has every agent.
    const [counts, failed] = (await Promise.all([
      this.db.query(
        `SELECT state, count(*)::int AS n FROM rollout_agents WHERE rollout_id = $1 GROUP BY state ORDER BY state`,
        [rolloutId],
      ),
      this.db.query(
        `SELECT agent_id, state, reason FROM rollout_agents
          WHERE rollout_id = $1 AND state = ANY($2::text[]) ORDER BY agent_id`,
        [rolloutId, FAILED_STATES],
      ),
    ])) as [EntryCountRow[], FailedEntryRow[]];
    return {
      id: r.id,
      profile: r.profile_name,
      revision: r.revision,
      mode: r.mode,
      state: r.state,
      stateReason: r.state_reason,
      agents: Object.fromEntries(counts.map((c) => [c.state, c.n])),
      failed: failed.map((a) => ({ agentId: a.agent_id, state: a.state, reason: a.reason })),
    };
  }
}
