import { nodeAlive } from '../cluster/nodes.repository.js';
import { type RolloutAgentState } from './rollout-agent-state.js';
import { type DeliveryEntry } from './rollout.types.js';
import { type Queryable } from './rollouts.repository.js';

/*
 * A REPORT (ADR 47): what the hello path and the rollout tick read to find an agent's work, each in one
 * statement (ADR 26: a hello costs no extra round trip; ADR 28: the reads do not grow with history).
 * Reads: agents (its session columns; agents), central_nodes (node liveness; cluster), profile_revisions
 * (sha, size, requirements; profiles), agent_desired_profiles (its own folder's). Writes only
 * rollout_agents (the stale walk), its own folder's table.
 */

/** A rollout entry is addressed by its rollout and agent; `attempts` tells deliveries of it apart. */
export interface EntryKey {
  rolloutId: string;
  agentId: string;
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
    SELECT id, mode, state, created_at, current_wave, profile_name, revision, step_timeout_seconds FROM rollouts
     WHERE created_at >= (SELECT min(since) FROM since) AND kind = 'profile'
  ), candidates AS (
    SELECT ra.rollout_id, ra.agent_id, ra.wave, ra.state, ra.attempts, ra.sent_step, ra.sent_session,
           r.mode, r.state AS rollout_state, r.created_at AS rollout_created_at, r.current_wave,
           r.step_timeout_seconds, r.profile_name, r.revision
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
         c.mode, c.rollout_state, c.rollout_created_at, c.step_timeout_seconds, c.profile_name, c.revision,
         pr.sha256, pr.size_bytes, pr.minimum_agent_version, pr.required_capabilities,
         n.agent_id IS NOT NULL AS newest, d.agent_id IS NOT NULL AS desired
    FROM candidates c
    JOIN profile_revisions pr ON pr.profile_name = c.profile_name AND pr.revision = c.revision
    LEFT JOIN newest n ON n.rollout_id = c.rollout_id AND n.agent_id = c.agent_id
    LEFT JOIN agent_desired_profiles d ON d.agent_id = c.agent_id AND d.rollout_id = c.rollout_id
   WHERE n.agent_id IS NOT NULL OR d.agent_id IS NOT NULL
   ORDER BY c.agent_id, c.rollout_created_at DESC`;

// Agents held by this node with an entry that may need a frame (partial index rollout_agents_due), one
// row each, in agent id order after `$4` (none: from the first). The rows are deduplicated on the index's
// own key (DISTINCT ON ra.agent_id, ORDER BY ra.agent_id): they can then come out of rollout_agents_due
// in its order and the LIMIT stops the walk, so a read visits about what it returns (and the entries of
// other nodes' agents in between). DISTINCT over the agent's columns ordered by a.id needed a sort, and
// the planner walked every due entry of every node before it (measured: 50,000 entries for a read of
// 8,000). The cursor is repeated on agents so that a merge join starts its walk of agents there too.
// The plan stays the planner's: when it expects fewer rows after the cursor than the limit (the last
// read of a cycle) it may hash the node's agents and read the rest of the index, which that read must
// walk anyway; the walk never starts before the cursor (test/medium/rollout-due-work-cursor.spec.ts).
const DUE_WORK = `
  SELECT DISTINCT ON (ra.agent_id) a.id, a.session_id, a.agent_version, a.capabilities
    FROM rollout_agents ra
    JOIN rollouts r ON r.id = ra.rollout_id
    JOIN agents a ON a.id = ra.agent_id
   WHERE (ra.state = 'pending' OR (ra.state = 'synchronized' AND ra.activates)) AND r.kind = 'profile'
      AND a.node_id = $1 AND a.connection_status = 'online' AND a.session_id IS NOT NULL
      AND ($3::text[] IS NULL OR ra.agent_id = ANY($3::text[]))
      AND ($4::text IS NULL OR (ra.agent_id > $4 AND a.id > $4))
      AND NOT (ra.sent_session IS NOT DISTINCT FROM a.session_id
               AND ra.sent_step IS NOT DISTINCT FROM (CASE WHEN ra.state = 'pending' THEN 'sync' ELSE 'activate' END))
      AND (   (r.state IN ('running', 'awaiting_approval', 'completed') AND ra.wave <= r.current_wave)
           OR EXISTS (SELECT 1 FROM agent_desired_profiles d
                       WHERE d.agent_id = ra.agent_id AND d.rollout_id = ra.rollout_id))
   ORDER BY ra.agent_id LIMIT $2`;

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
    AND EXISTS (SELECT 1 FROM central_nodes n WHERE n.id = a.node_id AND ${nodeAlive('n')})
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

const ENTRIES = `
  SELECT ra.rollout_id, ra.agent_id, ra.wave, ra.state, ra.attempts, ra.sent_step, ra.sent_session,
         r.mode, r.state AS rollout_state, r.created_at AS rollout_created_at, r.step_timeout_seconds,
         r.profile_name, r.revision,
         pr.sha256, pr.size_bytes, pr.minimum_agent_version, pr.required_capabilities,
         false AS newest, false AS desired
    FROM rollout_agents ra
    JOIN unnest($1::uuid[], $2::text[]) AS k(rollout_id, agent_id)
         ON ra.rollout_id = k.rollout_id AND ra.agent_id = k.agent_id
    JOIN rollouts r ON r.id = ra.rollout_id
    JOIN profile_revisions pr ON pr.profile_name = r.profile_name AND pr.revision = r.revision
`;

/** The entries that speak for these agents (see SCOPE). */
export async function readScope(q: Queryable, agentIds: string[]): Promise<DeliveryEntry[]> {
  const rows = (await q.query(SCOPE, [agentIds])) as EntryRow[];
  return rows.map(toEntry);
}

/** Which due work a read covers: only these agents, and/or the agents after `after` in id order. */
export interface DueWorkRange {
  agentIds?: string[];
  after?: string;
}

/**
 * Agents online on this node with an entry that may need a frame, in agent id order, each with its full
 * scope (see RolloutDeliveriesRepository.workOnNode).
 */
export async function readWorkOnNode(
  q: Queryable,
  nodeId: string,
  limit: number,
  range: DueWorkRange = {},
): Promise<HeldAgentWork[]> {
  // Driven from the due entries (partial index rollout_agents_due) in their order, from `after`: a read
  // costs about what it returns rather than a walk over every agent of the node or every due entry.
  const agents = (await q.query(DUE_WORK, [
    nodeId,
    limit,
    range.agentIds ?? null,
    range.after ?? null,
  ])) as Array<{
    id: string;
    session_id: string;
    agent_version: string | null;
    capabilities: string[] | null;
  }>;
  if (agents.length === 0) return [];
  const byAgent = new Map<string, DeliveryEntry[]>();
  for (const e of await readScope(
    q,
    agents.map((a) => a.id),
  )) {
    const list = byAgent.get(e.agentId);
    if (list) list.push(e);
    else byAgent.set(e.agentId, [e]);
  }
  return agents.map((a) => ({
    agentId: a.id,
    sessionId: a.session_id,
    agentVersion: a.agent_version,
    capabilities: a.capabilities ?? [],
    entries: byAgent.get(a.id) ?? [],
  }));
}

/** The entries these keys name, with their revisions (not locked: see RolloutDeliveriesRepository.entries). */
export async function readEntries(q: Queryable, keys: EntryKey[]): Promise<DeliveryEntry[]> {
  if (keys.length === 0) return [];
  const rows = (await q.query(ENTRIES, [
    keys.map((k) => k.rolloutId),
    keys.map((k) => k.agentId),
  ])) as EntryRow[];
  return rows.map(toEntry);
}

/** Open steps past their timeout while the agent stayed online become `stale` (see STALE_WALK). */
export async function markStaleEntries(q: Queryable): Promise<EntryKey[]> {
  const [rows] = (await q.query(STALE_WALK)) as [Array<{ rollout_id: string; agent_id: string }>, number];
  return rows.map((r) => ({ rolloutId: r.rollout_id, agentId: r.agent_id }));
}

/** A row of SCOPE or ENTRIES, as Postgres answers it. */
interface EntryRow {
  rollout_id: string;
  agent_id: string;
  wave: number;
  state: RolloutAgentState;
  attempts: number;
  sent_step: DeliveryEntry['sentStep'];
  sent_session: string | null;
  mode: DeliveryEntry['mode'];
  rollout_state: DeliveryEntry['rolloutState'];
  rollout_created_at: Date;
  step_timeout_seconds: number;
  profile_name: string;
  revision: number;
  sha256: string;
  size_bytes: number;
  minimum_agent_version: string;
  required_capabilities: string[] | null;
  newest: boolean;
  desired: boolean;
}

function toEntry(r: EntryRow): DeliveryEntry {
  return {
    rolloutId: r.rollout_id,
    agentId: r.agent_id,
    wave: r.wave,
    state: r.state,
    attempts: r.attempts,
    sentStep: r.sent_step,
    sentSession: r.sent_session,
    mode: r.mode,
    rolloutState: r.rollout_state,
    rolloutCreatedAt: r.rollout_created_at,
    stepTimeoutSeconds: r.step_timeout_seconds,
    profile: r.profile_name,
    revision: r.revision,
    sha256: r.sha256,
    sizeBytes: r.size_bytes,
    minimumAgentVersion: r.minimum_agent_version,
    requiredCapabilities: r.required_capabilities ?? [],
    newest: r.newest,
    desired: r.desired,
  };
}
