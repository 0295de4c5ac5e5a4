/** The admin UI's live socket (on the admin HTTP port). */
export const LIVE_PATH = '/api/live';

/** What the server sends over the live socket; the browser sends nothing. */
export type LiveMessage =
  | { type: 'ready'; username: string | null }
  /** Full rows of the agents whose visible state changed, and the ids of agents that disappeared. */
  | { type: 'agents.changed'; agents: ReadonlyArray<{ id: string }>; removed: string[] }
  /** Rollouts whose progress moved: their summary, with every agent up to 1,000 (`agentsOmitted` above). */
  | { type: 'rollouts.changed'; rollouts: ReadonlyArray<{ id: string }> };
