import { Injectable } from '@nestjs/common';
import { DataSource } from 'typeorm';
import { FleetAgentsRepository } from '../agents/fleet-agents.repository.js';
import { type RolloutAgentState } from './rollout-agent-state.js';
import {
  markStaleEntries,
  readEntries,
  readScope,
  readWorkOnNode,
  type DueWorkRange,
  type EntryKey,
  type HeldAgentWork,
} from './rollout-work.query.js';
import { type DeliveryEntry } from './rollout.types.js';
import { type Queryable } from './rollouts.repository.js';

export { type EntryKey, type HeldAgentWork };

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

// A delivery's next state, applied only if the entry is still in the state and attempt it was judged in.
const STATE_CHANGE = `
  UPDATE rollout_agents ra
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
   RETURNING ra.rollout_id, ra.agent_id`;

// What goes out on which session, recorded just before it is sent (same condition as STATE_CHANGE).
const SENT_MARK = `
  UPDATE rollout_agents ra SET sent_step = u.step, sent_at = now(), sent_session = u.session_id
    FROM unnest($1::uuid[], $2::text[], $3::text[], $4::int[], $5::text[], $6::uuid[])
         AS u(rollout_id, agent_id, from_state, attempts, step, session_id)
   WHERE ra.rollout_id = u.rollout_id AND ra.agent_id = u.agent_id
     AND ra.state = u.from_state AND ra.attempts = u.attempts
   RETURNING ra.rollout_id, ra.agent_id`;

/**
 * Set in the transactions that run STATE_CHANGE and SENT_MARK: each key is joined to its entry by the
 * primary key. Right after a rollout inserted its entries their statistics are missing, and the planner
 * hashed a batch's ~100 keys against every entry of the rollout instead (a sequential scan per batch:
 * 1,014 of them reading 37 M rows in a 50,000-agent push, PostgreSQL's CPU 15× that of 10,000 agents;
 * docs/benchmarks.md): the push was O(N²) in PostgreSQL. One statement, local to the transaction.
 */
export const JOIN_BY_KEY_SETTINGS = `SELECT set_config('enable_hashjoin', 'off', true),
  set_config('enable_mergejoin', 'off', true), set_config('enable_seqscan', 'off', true)`;

/**
 * The answers' transaction: JOIN_BY_KEY_SETTINGS, and no wait for the WAL flush (ADR 14: an answer lost
 * in a crash is recorded again from the agent's next hello).
 */
export const ANSWER_PLAN_SETTINGS = `${JOIN_BY_KEY_SETTINGS}, set_config('synchronous_commit', 'off', true)`;

/** The statements written per batch of answers and per dispatcher pass, for the tests that check their plans. */
export const DELIVERY_WRITE_STATEMENTS = { stateChange: STATE_CHANGE, sentMark: SENT_MARK };

/** Per-agent delivery state: what was sent on which session, what the agent answered (ADR 9). */
@Injectable()
export class RolloutDeliveriesRepository {
  constructor(
    private readonly db: DataSource,
    private readonly agents: FleetAgentsRepository,
  ) {}

  /** The entries that speak for these agents (see SCOPE). */
  scope(agentIds: string[], q: Queryable = this.db): Promise<DeliveryEntry[]> {
    return readScope(q, agentIds);
  }

  /**
   * Agents online on this node with an entry that may need a frame: pending, or synchronized in a
   * publish, and not yet sent on the agent's current session. Their full scope is returned so the
   * planner can choose one delivery per agent. In agent id order, at most `limit` agents; `range.agentIds`:
   * only these agents (their work changed); `range.after`: only the agents after this id (where the
   * previous read was cut).
   */
  workOnNode(nodeId: string, limit: number, range: DueWorkRange = {}): Promise<HeldAgentWork[]> {
    return readWorkOnNode(this.db, nodeId, limit, range);
  }

  /**
   * The entries these answers are about, with their revisions. Not locked: the changes made from them
   * hold only if the entry is still in the state and attempt it was read in (see `change`), and locking
   * would write every row once more during a push.
   */
  entries(keys: EntryKey[], q: Queryable): Promise<DeliveryEntry[]> {
    return readEntries(q, keys);
  }

  /** Applies state changes that still hold (same state and attempt); returns those applied. */
  async change(changes: StateChange[], q: Queryable = this.db): Promise<StateChange[]> {
    if (changes.length === 0) return [];
    const [rows] = (await q.query(STATE_CHANGE, [
      changes.map((c) => c.rolloutId),
      changes.map((c) => c.agentId),
      changes.map((c) => c.fromState),
      changes.map((c) => c.attempts),
      changes.map((c) => c.state),
      changes.map((c) => c.reason),
      changes.map((c) => c.restart ?? false),
    ])) as [Array<{ rollout_id: string; agent_id: string }>, number];
    const applied = new Set(rows.map((r) => `${r.rollout_id}/${r.agent_id}`));
    return changes.filter((c) => applied.has(`${c.rolloutId}/${c.agentId}`));
  }

  /** Records what goes out on which session, just before it is sent; returns the marks that held. */
  async markSent(marks: SentMark[]): Promise<SentMark[]> {
    if (marks.length === 0) return [];
    const [rows] = (await this.db.transaction(async (tx) => {
      await tx.query(JOIN_BY_KEY_SETTINGS);
      return tx.query(SENT_MARK, [
        marks.map((m) => m.rolloutId),
        marks.map((m) => m.agentId),
        marks.map((m) => m.fromState),
        marks.map((m) => m.attempts),
        marks.map((m) => m.step),
        marks.map((m) => m.sessionId),
      ]);
    })) as [Array<{ rollout_id: string; agent_id: string }>, number];
    const held = new Set(rows.map((r) => `${r.rollout_id}/${r.agent_id}`));
    return marks.filter((m) => held.has(`${m.rolloutId}/${m.agentId}`));
  }

  /** The agents reported these revisions staged: shown on the agent (agents' row) as well as on the entry. */
  async recordStaged(staged: Array<{ agentId: string; sha256: string }>, q: Queryable): Promise<void> {
    await this.agents.recordStagedProfiles(staged, q);
  }

  /**
   * The agents run these revisions now: their reported sha (agents' row) and, for a publish, their
   * desired profile. When one agent has several entries, the last one speaks for it.
   */
  async recordApplied(applied: DeliveryEntry[], q: Queryable): Promise<void> {
    if (applied.length === 0) return;
    // One row per agent: a statement may not update the same row twice.
    const entries = [...new Map(applied.map((e) => [e.agentId, e])).values()];
    await this.agents.recordRunningProfiles(entries, q);
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
  markStale(q: Queryable): Promise<EntryKey[]> {
    return markStaleEntries(q);
  }
}
