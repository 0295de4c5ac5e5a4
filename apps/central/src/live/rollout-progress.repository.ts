import { Injectable } from '@nestjs/common';
import { DataSource } from 'typeorm';

/** How many of the newest rollouts the live socket follows: older ones are finished or rarely watched. */
export const WATCHED_ROLLOUTS = 20;

export interface RolloutProgressPrint {
  id: string;
  /** What an operator would notice moving: state, wave, and per wave the counts per agent state. */
  print: string;
}

/**
 * One cheap query a second while a browser watches: each recent rollout's state and its agents counted
 * by wave and state (with the newest change, so a reason moving within one state is seen too).
 */
@Injectable()
export class RolloutProgressRepository {
  constructor(private readonly db: DataSource) {}

  async prints(): Promise<RolloutProgressPrint[]> {
    const rows = (await this.db.query(
      `SELECT r.id, r.state, r.state_reason, r.current_wave,
              (SELECT coalesce(json_agg(json_build_array(c.wave, c.state, c.n, c.changed) ORDER BY c.wave, c.state), '[]'::json)
                 FROM (SELECT wave, state, count(*)::int AS n, max(state_changed_at) AS changed
                         FROM rollout_agents WHERE rollout_id = r.id GROUP BY wave, state) c) AS counts
         FROM rollouts r ORDER BY r.created_at DESC, r.id LIMIT $1`,
      [WATCHED_ROLLOUTS],
    )) as Array<{
      id: string;
      state: string;
      state_reason: string | null;
      current_wave: number;
      counts: unknown;
    }>;
    return rows.map((r) => ({
      id: r.id,
      print: JSON.stringify([r.state, r.state_reason, r.current_wave, r.counts]),
    }));
  }
}
