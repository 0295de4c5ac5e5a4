import { Injectable } from '@nestjs/common';
import { DataSource } from 'typeorm';
import { AGENT_STATUS_VIEW } from './agent-status.query.js';
import { type ConnectionStatus } from './agents.repository.js';

/** What runs one statement: the data source, or the caller's transaction (ADR 47). */
export interface Queryable {
  query(sql: string, params?: unknown[]): Promise<unknown>;
}

/** Which agents another domain means: every one, these ids, or those in any of these groups (ADR 37). */
export type AgentTargets = { all: true } | { agentIds: string[] } | { groups: string[] };

/** An agent as a rollout plans it: what the capability gate judges. */
export interface TargetAgent {
  id: string;
  agentVersion: string | null;
  capabilities: string[];
}

/** An agent another domain selected by ids or group, with what it needs to refuse it. */
export interface SelectedAgent {
  id: string;
  status: ConnectionStatus;
  capabilities: string[];
  revoked: boolean;
}

/** The profile revision an agent reports, by its sha256. */
export interface ReportedProfile {
  agentId: string;
  sha256: string;
}

/**
 * The `agents` table as other domains need it (ADR 47): who a rollout reaches, the connection of a page
 * of agents, registration, and what profile the agents report — written on the caller's transaction so
 * a rollout's recorded answer and the agent's row commit together.
 */
@Injectable()
export class FleetAgentsRepository {
  constructor(private readonly db: DataSource) {}

  /** A registered (not revoked) agent has this id. */
  async isRegistered(id: string): Promise<boolean> {
    const rows = (await this.db.query('SELECT 1 FROM agents WHERE id = $1 AND revoked_at IS NULL', [
      id,
    ])) as unknown[];
    return rows.length > 0;
  }

  /** The status operators see of these agents (a page of another domain's list), by id. */
  async statusOf(ids: string[]): Promise<Map<string, ConnectionStatus>> {
    if (ids.length === 0) return new Map();
    const rows = (await this.db.query(
      `SELECT v.id, v.status FROM (${AGENT_STATUS_VIEW}) v WHERE v.id = ANY($1::text[])`,
      [ids],
    )) as Array<{ id: string; status: ConnectionStatus }>;
    return new Map(rows.map((r) => [r.id, r.status]));
  }

  /**
   * The agents among `ids`, or those of `group` (admin or reported), with their status as operators see
   * it (ADR 5); revoked ones too (the caller says why it leaves them out). At most `limit`, by id.
   */
  async selected(filter: { ids?: string[]; group?: string; limit: number }): Promise<SelectedAgent[]> {
    const rows = (await this.db.query(
      `SELECT v.id, v.status, v.capabilities, v.revoked_at IS NOT NULL AS revoked
         FROM (${AGENT_STATUS_VIEW}) v
        WHERE ($1::text[] IS NULL OR v.id = ANY($1)) AND ($2::text IS NULL OR $2 = ANY(v.groups) OR $2 = ANY(v.reported_groups))
        ORDER BY v.id LIMIT $3`,
      [filter.ids ?? null, filter.group ?? null, filter.limit],
    )) as Array<{ id: string; status: ConnectionStatus; capabilities: string[] | null; revoked: boolean }>;
    return rows.map((r) => ({
      id: r.id,
      status: r.status,
      capabilities: r.capabilities ?? [],
      revoked: r.revoked,
    }));
  }

  /** Enrolled, unrevoked agents `targets` selects, in a stable order (waves are cut from it). */
  async targets(targets: AgentTargets): Promise<TargetAgent[]> {
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
    )) as Array<{ id: string; agent_version: string | null; capabilities: string[] | null }>;
    return rows.map((r) => ({ id: r.id, agentVersion: r.agent_version, capabilities: r.capabilities ?? [] }));
  }

  /** The agents reported these revisions staged (downloaded and verified, not active yet). */
  async recordStagedProfiles(staged: ReportedProfile[], q: Queryable): Promise<void> {
    if (staged.length === 0) return;
    await q.query(
      `UPDATE agents a SET staged_profile_sha256 = u.sha256
         FROM unnest($1::text[], $2::text[]) AS u(agent_id, sha256) WHERE a.id = u.agent_id`,
      [staged.map((s) => s.agentId), staged.map((s) => s.sha256)],
    );
  }

  /**
   * The agents run these revisions now: their reported sha, and a staged copy of it is no longer staged.
   * At most one entry per agent: a statement may not update the same row twice.
   */
  async recordRunningProfiles(running: ReportedProfile[], q: Queryable): Promise<void> {
    if (running.length === 0) return;
    await q.query(
      `UPDATE agents a SET profile_sha256 = u.sha256,
              staged_profile_sha256 = CASE WHEN a.staged_profile_sha256 = u.sha256 THEN NULL
                                           ELSE a.staged_profile_sha256 END
         FROM unnest($1::text[], $2::text[]) AS u(agent_id, sha256) WHERE a.id = u.agent_id`,
      [running.map((e) => e.agentId), running.map((e) => e.sha256)],
    );
  }
}
