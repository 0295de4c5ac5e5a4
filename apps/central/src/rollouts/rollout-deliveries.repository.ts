import { Injectable } from '@nestjs/common';
import { DataSource } from 'typeorm';
import { NODE_STALE_AFTER_SECONDS } from '../cluster/nodes.repository.js';
import { type RolloutAgentState } from './rollout-agent-state.js';
import { type DeliveryEntry } from './rollout.types.js';
import { type Queryable } from './rollouts.repository.js';

/** A rollout entry is addressed by its rollout and agent; `attempts` tells deliveries of it apart. */
export interface EntryKey {
  rolloutId: string;
  agentId: string;
}

export interface StateChange extends EntryKey {
  /** Applied only if the entry is still in this state and attempt (a concurrent change wins). */
  fromState: RolloutAgentState;
  attempts: number;
  state: RolloutAgentState;
  reason: string | null;
  restart?: boolean;
}

export interface SentMark extends EntryKey {
  fromState: RolloutAgentState;
  attempts: number;
  step: 'sync' | 'activate';
  sessionId: string;
}

/** An agent held by this node that has rollout work, with the facts the capability gate needs. */
export interface HeldAgentWork {
  agentId: string;
  sessionId: string;
  agentVersion: string | null;
  capabilities: string[];
  entries: DeliveryEntry[];
}

/**
 * An entry whose delivery may still move: not at its goal, not failed, not cancelled (the predicate of the
 * partial index rollout_agents_open, written the same way so the planner can use it).
 */
const OPEN_ENTRY = `(ra.state IN ('pending', 'needs_upgrade', 'stale', 'synchronizing', 'applying')
  OR (ra.state = 'synchronized' AND ra.activates))`;

// Per agent, the entries that speak for it: the newest rollout that reached it (not cancelled) and
// the rollout whose publish set its desired profile. Only the rollouts where an agent's work may still
// move are looked at — the unfinished ones, and completed ones where the agent's entry is open — and
// those created since (the agent's newest is among them): what is read does not grow with
// the rollouts that finished before (ADR 28). Older history stays as it was recorded. Entries are found
// by their primary key, one (rollout, agent) at a time: `LIMIT 1` (there is at most one) keeps each
// lookup a probe, where a join would let the planner read every entry of every agent or rollout.
const SCOPE = `
  WITH unfinished AS (
    SELECT min(created_at) AS since FROM rollouts WHERE state NOT IN ('completed', 'cancelled')
  ), open AS (
    SELECT ra.agent_id, min(r.created_at) AS since
      FROM rollout_agents ra JOIN rollouts r ON r.id = ra.rollout_id
     WHERE ${OPEN_ENTRY} AND ra.agent_id = ANY($1::text[]) AND r.state = 'completed'
     GROUP BY ra.agent_id
  ), since AS (
    SELECT a.agent_id, least(o.since, u.since) AS since
      FROM unnest($1::text[]) AS a(agent_id)
      LEFT JOIN open o ON o.agent_id = a.agent_id
     CROSS JOIN unfinished u
     WHERE o.since IS NOT NULL OR u.since IS NOT NULL
  ), recent AS (
    SELECT id, mode, state, created_at, current_wave, profile_name, revision FROM rollouts
     WHERE created_at >= (SELECT min(since) FROM since) AND kind = 'profile'
  ), candidates AS (
    SELECT ra.rollout_id, ra.agent_id, ra.wave, ra.state, ra.attempts, ra.sent_step, ra.sent_session,
           r.mode, r.state AS rollout_state, r.created_at AS rollout_created_at, r.current_wave,
           r.profile_name, r.revision
      FROM since s
      JOIN recent r ON r.created_at >= s.since
     CROSS JOIN LATERAL (SELECT * FROM rollout_agents ra
                          WHERE ra.rollout_id = r.id AND ra.agent_id = s.agent_id LIMIT 1) ra
  ), newest AS (
    SELECT DISTINCT ON (c.agent_id) c.rollout_id, c.agent_id
      FROM candidates c
     WHERE c.state <> 'cancelled' AND c.rollout_state <> 'cancelled' AND c.wave <= c.current_wave
     ORDER BY c.agent_id, c.rollout_created_at DESC, c.rollout_id
  )
  SELECT c.rollout_id, c.agent_id, c.wave, c.state, c.attempts, c.sent_step, c.sent_session,
         c.mode, c.rollout_state, c.rollout_created_at, c.profile_name, c.revision,
         pr.sha256, pr.size_bytes, pr.minimum_agent_version, pr.required_capabilities,
         n.agent_id IS NOT NULL AS newest, d.agent_id IS NOT NULL AS desired
    FROM candidates c
    JOIN profile_revisions pr ON pr.profile_name = c.profile_name AND pr.revision = c.revision
    LEFT JOIN newest n ON n.rollout_id = c.rollout_id AND n.agent_id = c.agent_id
    LEFT JOIN agent_desired_profiles d ON d.agent_id = c.agent_id AND d.rollout_id = c.rollout_id
   WHERE n.agent_id IS NOT NULL OR d.agent_id IS NOT NULL
   ORDER BY c.agent_id, c.rollout_created_at DESC`;

// Agents held by this node with an entry that may need a frame (partial index rollout_agents_due).
const DUE_WORK = `
  SELECT DISTINCT a.id, a.session_id, a.agent_version, a.capabilities
    FROM rollout_agents ra
    JOIN rollouts r ON r.id = ra.rollout_id
    JOIN agents a ON a.id = ra.agent_id
   WHERE (ra.state = 'pending' OR (ra.state = 'synchronized' AND ra.activates)) AND r.kind = 'profile'
      AND a.node_id = $1 AND a.connection_status = 'online' AND a.session_id IS NOT NULL
      AND ($3::text[] IS NULL OR ra.agent_id = ANY($3::text[]))
      AND NOT (ra.sent_session IS NOT DISTINCT FROM a.session_id
               AND ra.sent_step IS NOT DISTINCT FROM (CASE WHEN ra.state = 'pending' THEN 'sync' ELSE 'activate' END))
      AND (   (r.state IN ('running', 'awaiting_approval', 'completed') AND ra.wave <= r.current_wave)
           OR EXISTS (SELECT 1 FROM agent_desired_profiles d
                       WHERE d.agent_id = ra.agent_id AND d.rollout_id = ra.rollout_id))
   ORDER BY a.id LIMIT $2`;

// Steps that got no answer within their rollout's step timeout, among the open entries only.
const STALE_WALK = `
  UPDATE rollout_agents ra
    SET state = 'stale', state_changed_at = now(),
        reason = CASE
          WHEN ra.state IN ('synchronizing', 'applying')
            THEN format('no progress from %s within %s s', ra.state, r.step_timeout_seconds)
          WHEN r.kind = 'agent_package'
            THEN format('no answer to agent.upgrade within %s s', r.step_timeout_seconds)
          ELSE format('no answer to profile.%s within %s s', ra.sent_step, r.step_timeout_seconds) END
   FROM rollouts r, agents a
  WHERE ${OPEN_ENTRY} AND r.id = ra.rollout_id AND a.id = ra.agent_id
    AND a.connection_status = 'online'
    AND EXISTS (SELECT 1 FROM central_nodes n WHERE n.id = a.node_id
                   AND n.heartbeat_at > now() - make_interval(secs => ${NODE_STALE_AFTER_SECONDS}))
    AND (   (ra.state IN ('synchronizing', 'applying')
             AND ra.state_changed_at < now() - make_interval(secs => r.step_timeout_seconds))
         OR (ra.state = 'pending' AND ra.sent_step = 'sync' AND ra.sent_session = a.session_id
             AND ra.sent_at < now() - make_interval(secs => r.step_timeout_seconds))
         OR (ra.state = 'synchronized' AND r.mode = 'publish' AND ra.sent_step = 'activate'
             AND ra.sent_session = a.session_id
             AND ra.sent_at < now() - make_interval(secs => r.step_timeout_seconds)))
  RETURNING ra.rollout_id, ra.agent_id`;

/** The statements run per tick and per hello, for the tests that check their plans stay off history. */
export const ROLLOUT_WORK_STATEMENTS = { scope: SCOPE, dueWork: DUE_WORK, staleWalk: STALE_WALK };

/** Per-agent delivery state: what was sent on which session, what the agent answered (ADR 9). */
@Injectable()
export class RolloutDeliveriesRepository {
  constructor(private readonly db: DataSource) {}

  /** The entries that speak for these agents (see SCOPE). */
  async scope(agentIds: string[], q: Queryable = this.db): Promise<DeliveryEntry[]> {
    const rows = (await q.query(SCOPE, [agentIds])) as Array<Record<string, unknown>>;
    return rows.map(toEntry);
  }

  /**
   * Agents online on this node with an entry that may need a frame: pending, or synchronized in a
   * publish, and not yet sent on the agent's current session. Their full scope is returned so the
   * planner can choose one delivery per agent. `agentIds`: only these agents (their work changed).
   */
  async workOnNode(nodeId: string, limit: number, agentIds?: string[]): Promise<HeldAgentWork[]> {
    // Driven from the due entries (partial index rollout_agents_due), so a pass costs what is left to
    // do rather than a walk over every agent of the node; each due entry is visited once.
    const agents = (await this.db.query(DUE_WORK, [nodeId, limit, agentIds ?? null])) as Array<
      Record<string, unknown>
    >;
    if (agents.length === 0) return [];
    const byAgent = new Map<string, DeliveryEntry[]>();
    for (const e of await this.scope(agents.map((a) => a.id as string))) {
      const list = byAgent.get(e.agentId);
      if (list) list.push(e);
      else byAgent.set(e.agentId, [e]);
    }
    return agents.map((a) => ({
      agentId: a.id as string,
      sessionId: a.session_id as string,
      agentVersion: a.agent_version as string | null,
      capabilities: (a.capabilities as string[] | null) ?? [],
      entries: byAgent.get(a.id as string) ?? [],
    }));
  }

  /**
   * The entries these answers are about, with their revisions. Not locked: the changes made from them
   * hold only if the entry is still in the state and attempt it was read in (see `change`), and locking
   * would write every row once more during a push.
   */
  async entries(keys: EntryKey[], q: Queryable): Promise<DeliveryEntry[]> {
    if (keys.length === 0) return [];
    const rows = (await q.query(
      `SELECT ra.rollout_id, ra.agent_id, ra.wave, ra.state, ra.attempts, ra.sent_step, ra.sent_session,
              r.mode, r.state AS rollout_state, r.created_at AS rollout_created_at, r.profile_name, r.revision,
              pr.sha256, pr.size_bytes, pr.minimum_agent_version, pr.required_capabilities,
              false AS newest, false AS desired
         FROM rollout_agents ra
         JOIN unnest($1::uuid[], $2::text[]) AS k(rollout_id, agent_id)
              ON ra.rollout_id = k.rollout_id AND ra.agent_id = k.agent_id
         JOIN rollouts r ON r.id = ra.rollout_id
         JOIN profile_revisions pr ON pr.profile_name = r.profile_name AND pr.revision = r.revision
`,
      [keys.map((k) => k.rolloutId), keys.map((k) => k.agentId)],
    )) as Array<Record<string, unknown>>;
    return rows.map(toEntry);
  }

  /** Applies state changes that still hold (same state and attempt); returns those applied. */
  async change(changes: StateChange[], q: Queryable = this.db): Promise<StateChange[]> {
    if (changes.length === 0) return [];
    const [rows] = (await q.query(
      `UPDATE rollout_agents ra
          SET state = u.state, reason = u.reason, state_changed_at = now(),
              attempts = CASE WHEN u.restart THEN ra.attempts + 1 ELSE ra.attempts END,
              sent_step = CASE WHEN u.restart THEN NULL ELSE ra.sent_step END,
              sent_session = CASE WHEN u.restart THEN NULL ELSE ra.sent_session END,
              synchronized_at = CASE WHEN u.state = 'synchronized' THEN now() ELSE ra.synchronized_at END,
              applied_at = CASE WHEN u.state = 'applied' THEN now() ELSE ra.applied_at END
         FROM unnest($1::uuid[], $2::text[], $3::text[], $4::int[], $5::text[], $6::text[], $7::boolean[])
              AS u(rollout_id, agent_id, from_state, attempts, state, reason, restart)
        WHERE ra.rollout_id = u.rollout_id AND ra.agent_id = u.agent_id
          AND ra.state = u.from_state AND ra.attempts = u.attempts
        RETURNING ra.rollout_id, ra.agent_id`,
      [
        changes.map((c) => c.rolloutId),
        changes.map((c) => c.agentId),
        changes.map((c) => c.fromState),
        changes.map((c) => c.attempts),
        changes.map((c) => c.state),
        changes.map((c) => c.reason),
        changes.map((c) => c.restart ?? false),
      ],
    )) as [Array<{ rollout_id: string; agent_id: string }>, number];
    const applied = new Set(rows.map((r) => `${r.rollout_id}/${r.agent_id}`));
    return changes.filter((c) => applied.has(`${c.rolloutId}/${c.agentId}`));
  }

  /** Records what goes out on which session, just before it is sent; returns the marks that held. */
  async markSent(marks: SentMark[]): Promise<SentMark[]> {
    if (marks.length === 0) return [];
    const [rows] = (await this.db.query(
      `UPDATE rollout_agents ra SET sent_step = u.step, sent_at = now(), sent_session = u.session_id
         FROM unnest($1::uuid[], $2::text[], $3::text[], $4::int[], $5::text[], $6::uuid[])
              AS u(rollout_id, agent_id, from_state, attempts, step, session_id)
        WHERE ra.rollout_id = u.rollout_id AND ra.agent_id = u.agent_id
          AND ra.state = u.from_state AND ra.attempts = u.attempts
        RETURNING ra.rollout_id, ra.agent_id`,
      [
        marks.map((m) => m.rolloutId),
        marks.map((m) => m.agentId),
        marks.map((m) => m.fromState),
        marks.map((m) => m.attempts),
        marks.map((m) => m.step),
        marks.map((m) => m.sessionId),
      ],
    )) as [Array<{ rollout_id: string; agent_id: string }>, number];
    const held = new Set(rows.map((r) => `${r.rollout_id}/${r.agent_id}`));
    return marks.filter((m) => held.has(`${m.rolloutId}/${m.agentId}`));
  }

  /** The agents reported these revisions staged: shown on the agent as well as on the entry. */
  async recordStaged(staged: Array<{ agentId: string; sha256: string }>, q: Queryable): Promise<void> {
    if (staged.length === 0) return;
    await q.query(
      `UPDATE agents a SET staged_profile_sha256 = u.sha256
         FROM unnest($1::text[], $2::text[]) AS u(agent_id, sha256) WHERE a.id = u.agent_id`,
      [staged.map((s) => s.agentId), staged.map((s) => s.sha256)],
    );
  }

  /**
   * The agents run these revisions now: their reported sha and, for a publish, their desired profile.
   * When one agent has several entries, the last one speaks for it.
   */
  async recordApplied(applied: DeliveryEntry[], q: Queryable): Promise<void> {
    if (applied.length === 0) return;
    // One row per agent: a statement may not update the same row twice.
    const entries = [...new Map(applied.map((e) => [e.agentId, e])).values()];
    await q.query(
      `UPDATE agents a SET profile_sha256 = u.sha256,
              staged_profile_sha256 = CASE WHEN a.staged_profile_sha256 = u.sha256 THEN NULL
                                           ELSE a.staged_profile_sha256 END
         FROM unnest($1::text[], $2::text[]) AS u(agent_id, sha256) WHERE a.id = u.agent_id`,
      [entries.map((e) => e.agentId), entries.map((e) => e.sha256)],
    );
    const published = entries.filter((e) => e.mode === 'publish');
    if (published.length === 0) return;
    await q.query(
      `INSERT INTO agent_desired_profiles (agent_id, profile_name, revision, sha256, rollout_id)
       SELECT * FROM unnest($1::text[], $2::text[], $3::int[], $4::text[], $5::uuid[])
       ON CONFLICT (agent_id) DO UPDATE SET profile_name = EXCLUDED.profile_name, revision = EXCLUDED.revision,
              sha256 = EXCLUDED.sha256, rollout_id = EXCLUDED.rollout_id, updated_at = now()`,
      [
        published.map((e) => e.agentId),
        published.map((e) => e.profile),
        published.map((e) => e.revision),
        published.map((e) => e.sha256),
        published.map((e) => e.rolloutId),
      ],
    );
  }

  async desiredProfile(agentId: string): Promise<{ name: string; revision: number; sha256: string } | null> {
    const [row] = (await this.db.query(
      `SELECT profile_name, revision, sha256 FROM agent_desired_profiles WHERE agent_id = $1`,
      [agentId],
    )) as Array<{ profile_name: string; revision: number; sha256: string }>;
    return row ? { name: row.profile_name, revision: row.revision, sha256: row.sha256 } : null;
  }

  /** The desired profiles of many agents in one statement (hellos of a restart storm, ADR 26). */
  async desiredProfiles(
    agentIds: string[],
  ): Promise<Map<string, { name: string; revision: number; sha256: string }>> {
    const rows = (await this.db.query(
      `SELECT agent_id, profile_name, revision, sha256 FROM agent_desired_profiles WHERE agent_id = ANY($1::text[])`,
      [agentIds],
    )) as Array<{ agent_id: string; profile_name: string; revision: number; sha256: string }>;
    return new Map(
      rows.map((r) => [r.agent_id, { name: r.profile_name, revision: r.revision, sha256: r.sha256 }]),
    );
  }

  /** True when any rollout entry exists: without one, no hello has anything to reconcile (SCOPE is empty). */
  async anyEntry(): Promise<boolean> {
    const [row] = (await this.db.query(`SELECT EXISTS (SELECT 1 FROM rollout_agents) AS any`)) as Array<{
      any: boolean;
    }>;
    return row?.any === true;
  }

  /**
   * Steps that got no answer within the rollout's step timeout while the agent stayed online become
   * `stale` (docs/design.md §8: never "updating" forever). They are sent again at the agent's next hello.
   * Only open entries are read (rollout_agents_open): the walk costs what is under way, not the history.
   */
  async markStale(q: Queryable): Promise<EntryKey[]> {
    const [rows] = (await q.query(STALE_WALK)) as [Array<{ rollout_id: string; agent_id: string }>, number];
    return rows.map((r) => ({ rolloutId: r.rollout_id, agentId: r.agent_id }));
  }
}

function toEntry(r: Record<string, unknown>): DeliveryEntry {
  return {
    rolloutId: r.rollout_id as string,
    agentId: r.agent_id as string,
    wave: r.wave as number,
    state: r.state as RolloutAgentState,
    attempts: r.attempts as number,
    sentStep: r.sent_step as DeliveryEntry['sentStep'],
    sentSession: r.sent_session as string | null,
    mode: r.mode as DeliveryEntry['mode'],
    rolloutState: r.rollout_state as DeliveryEntry['rolloutState'],
    rolloutCreatedAt: r.rollout_created_at as Date,
    profile: r.profile_name as string,
    revision: r.revision as number,
    sha256: r.sha256 as string,
    sizeBytes: r.size_bytes as number,
    minimumAgentVersion: r.minimum_agent_version as string,
    requiredCapabilities: (r.required_capabilities as string[] | null) ?? [],
    newest: r.newest as boolean,
    desired: r.desired as boolean,
  };
}
