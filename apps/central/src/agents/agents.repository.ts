import { Injectable } from '@nestjs/common';
import { DataSource } from 'typeorm';
import { type Transport } from '../../../../libs/protocol/index.js';
import {
  AGENT_STATUS_VIEW as VIEW,
  nodeHeartbeat,
  notOnline,
  onlineOnMissingNode,
} from './agent-status.query.js';

export type ConnectionStatus = 'online' | 'offline' | 'disconnected' | 'never_connected';

export interface AgentView {
  id: string;
  status: ConnectionStatus;
  transport: Transport | null;
  /** `connector/<name>` when the agent reaches central through a TLS connector (ADR 15, docs/migration.md). */
  via: string | null;
  /** The transport as operators read it: `secure (via connector)` for a connector's agents. */
  transportDisplay: string | null;
  agentVersion: string | null;
  capabilities: string[];
  profileSha256: string | null;
  /** A revision the agent downloaded and verified but has not activated (reported at hello). */
  stagedProfileSha256: string | null;
  /**
   * The groups rollouts and filters match: `adminGroups` and `reportedGroups` together (ADR 37), sorted.
   */
  groups: string[];
  /** Set by an admin (`PUT /api/agents/:id/groups`) or by the enrollment token. */
  adminGroups: string[];
  /** From the agent's own `agent.group`, as its last hello reported them. */
  reportedGroups: string[];
  nodeId: string | null;
  remoteAddress: string | null;
  enrolledAt: Date;
  revokedAt: Date | null;
  connectedAt: Date | null;
  lastSeenAt: Date | null;
}

export interface SessionFacts {
  agentVersion: string;
  capabilities: string[];
  profileSha256: string | null;
  stagedProfileSha256: string | null;
  /** The groups of the agent's `agent.group`; null when its hello did not say (older agents): kept as is. */
  reportedGroups: string[] | null;
  transport: Transport;
  via: string | null;
  nodeId: string;
  sessionId: string;
  remoteAddress: string;
  /** The central address the agent dialled: tells whether it still reaches a localhost-only listener. */
  listenerAddress: string;
}

/**
 * The status is computed at read time as well as stored: an agent marked online on a node whose
 * heartbeat stopped is shown `disconnected` at once, before the sweeper rewrites the row.
 */
export interface PlainSession {
  id: string;
  nodeId: string;
  remoteAddress: string | null;
  listenerAddress: string | null;
}

@Injectable()
export class AgentsRepository {
  constructor(private readonly db: DataSource) {}

  async list(filter: {
    status?: ConnectionStatus;
    transport?: Transport;
    /** Agents in this group, set by an admin or reported (ADR 37). */
    group?: string;
    limit: number;
    offset: number;
  }): Promise<AgentView[]> {
    const rows: StatusViewRow[] = await this.db.query(
      `SELECT * FROM (${VIEW}) v WHERE ($1::text IS NULL OR v.status = $1) AND ($2::text IS NULL OR v.transport = $2)
          AND ($5::text IS NULL OR $5 = ANY(v.groups) OR $5 = ANY(v.reported_groups))
        ORDER BY v.id LIMIT $3 OFFSET $4`,
      [filter.status ?? null, filter.transport ?? null, filter.limit, filter.offset, filter.group ?? null],
    );
    return rows.map(toView);
  }

  async find(id: string): Promise<AgentView | undefined> {
    const [row] = await this.db.query(`${VIEW} WHERE a.id = $1`, [id]);
    return row ? toView(row as StatusViewRow) : undefined;
  }

  /** The agent's credential hash, and whether the agent has ever connected with that credential. */
  async findCredential(id: string): Promise<{ hash: string; used: boolean } | undefined> {
    const [row] = (await this.db.query(
      'SELECT credential_hash, credential_used_at FROM agents WHERE id = $1 AND revoked_at IS NULL',
      [id],
    )) as Array<{ credential_hash: string | null; credential_used_at: Date | null }>;
    if (!row?.credential_hash) return undefined;
    return { hash: row.credential_hash, used: row.credential_used_at !== null };
  }

  /** Credentials of many agents in one statement (the hello path, ADR 26); revoked agents are absent. */
  async findCredentials(ids: string[]): Promise<Map<string, { hash: string; used: boolean }>> {
    const rows = (await this.db.query(
      `SELECT id, credential_hash, credential_used_at IS NOT NULL AS used FROM agents
        WHERE id = ANY($1::text[]) AND revoked_at IS NULL AND credential_hash IS NOT NULL`,
      [ids],
    )) as Array<{ id: string; credential_hash: string; used: boolean }>;
    return new Map(rows.map((r) => [r.id, { hash: r.credential_hash, used: r.used }]));
  }

  /** These agents have their credentials: an enrollment with its token is no longer a retry (see `isRetry`). */
  async markCredentialsUsed(ids: string[]): Promise<void> {
    await this.db.query(
      // Locked in id order first, like every statement that touches many agents (see sweepOrphans).
      `WITH first AS (
         SELECT a.id FROM agents a WHERE a.id = ANY($1::text[]) AND a.credential_used_at IS NULL
          ORDER BY a.id FOR UPDATE OF a)
       UPDATE agents a SET credential_used_at = now() FROM first f
        WHERE a.id = f.id AND a.credential_used_at IS NULL`,
      [ids],
    );
  }

  /**
   * True when this agent was enrolled with this (still valid) token, has never connected with the
   * credential it was issued and is not online: its welcome was lost, and enrolling it again must not use
   * the token again. An agent online on its enrollment session got its welcome: the same token must not
   * take the id from it (ADR 25).
   */
  async isEnrollmentRetry(id: string, tokenHash: string): Promise<boolean> {
    const rows = (await this.db.query(
      `SELECT 1 FROM agents a JOIN enrollment_tokens t ON t.id = a.enrolled_by_token
        WHERE a.id = $1 AND t.token_hash = $2 AND a.revoked_at IS NULL AND a.credential_used_at IS NULL
          AND t.revoked_at IS NULL AND t.expires_at > now() AND ${notOnline('a')}`,
      [id, tokenHash],
    )) as unknown[];
    return rows.length > 0;
  }

  /** Whether the id is revoked, or enrolled (holds a credential): what an enrollment must not take over. */
  async enrollmentState(id: string): Promise<'unknown' | 'enrolled' | 'revoked'> {
    const [row] = (await this.db.query('SELECT revoked_at, credential_hash FROM agents WHERE id = $1', [
      id,
    ])) as Array<{ revoked_at: Date | null; credential_hash: string | null }>;
    if (!row) return 'unknown';
    if (row.revoked_at !== null) return 'revoked';
    return row.credential_hash !== null ? 'enrolled' : 'unknown';
  }

  /**
   * Enrolls an agent: a new id, an id known without a credential, or a retry (ADR 18) — or, with
   * `readmit` (an admin's re-enroll token for this id, ADR 25), any id: its credential is replaced and a
   * revocation lifted. Checked in the same statement that writes, so two enrollments of one id cannot
   * both pass. `group` joins the agent's groups. False when the id is taken (nothing is written).
   */
  async enroll(
    id: string,
    credentialHash: string,
    tokenHash: string,
    options: { readmit: boolean; group: string | null },
  ): Promise<boolean> {
    const rows = (await this.db.query(
      `INSERT INTO agents (id, credential_hash, enrolled_by_token, groups)
       VALUES ($1, $2, (SELECT id FROM enrollment_tokens WHERE token_hash = $3),
               CASE WHEN $5::text IS NULL THEN '{}'::text[] ELSE ARRAY[$5::text] END)
       ON CONFLICT (id) DO UPDATE SET credential_hash = EXCLUDED.credential_hash, revoked_at = NULL,
              enrolled_at = now(), enrolled_by_token = EXCLUDED.enrolled_by_token, credential_used_at = NULL,
              groups = ARRAY(SELECT DISTINCT g FROM unnest(agents.groups || EXCLUDED.groups) g ORDER BY g)
        WHERE $4::boolean
           OR (agents.revoked_at IS NULL AND agents.credential_hash IS NULL)
           OR (agents.revoked_at IS NULL AND agents.credential_used_at IS NULL
               AND agents.enrolled_by_token = EXCLUDED.enrolled_by_token AND ${notOnline('agents')})
       RETURNING id`,
      [id, credentialHash, tokenHash, options.readmit, options.group],
    )) as unknown[];
    return rows.length > 0;
  }

  async revoke(id: string): Promise<boolean> {
    const rows: unknown[] = await this.db.query(
      `UPDATE agents SET revoked_at = now(), credential_hash = NULL WHERE id = $1 AND revoked_at IS NULL RETURNING id`,
      [id],
    );
    return (rows[0] as unknown[]).length > 0;
  }

  async markOnline(id: string, s: SessionFacts): Promise<void> {
    await this.db.query(
      `UPDATE agents SET connection_status = 'online', agent_version = $2, capabilities = $3, profile_sha256 = $4,
              transport = $5, node_id = $6, session_id = $7, remote_address = $8, listener_address = $9,
              staged_profile_sha256 = $10, via = $11, connected_at = now(), last_seen_at = now(),
              reported_groups = coalesce($12::text[], reported_groups)
        WHERE id = $1`,
      [
        id,
        s.agentVersion,
        JSON.stringify(s.capabilities),
        s.profileSha256,
        s.transport,
        s.nodeId,
        s.sessionId,
        s.remoteAddress,
        s.listenerAddress,
        s.stagedProfileSha256,
        s.via,
        s.reportedGroups,
      ],
    );
  }

  /**
   * Records many sessions online in one statement (ADR 26: hellos are written in batches, and each
   * welcome waits for its batch's commit). The caller never puts two sessions of one agent in a batch.
   */
  async markOnlineMany(sessions: Array<SessionFacts & { agentId: string }>): Promise<void> {
    if (sessions.length === 0) return;
    // One JSON parameter, not an array per column: pg serializes text[] element by element in JavaScript
    // (string building and an escape per value), the largest allocation of a hello batch (ADR 54).
    const rows = JSON.stringify(
      sessions.map((s) => ({
        id: s.agentId,
        agent_version: s.agentVersion,
        capabilities: s.capabilities,
        profile_sha256: s.profileSha256,
        transport: s.transport,
        node_id: s.nodeId,
        session_id: s.sessionId,
        remote_address: s.remoteAddress,
        listener_address: s.listenerAddress,
        staged_profile_sha256: s.stagedProfileSha256,
        via: s.via,
        reported_groups: s.reportedGroups,
      })),
    );
    await this.db.query(
      `UPDATE agents a SET connection_status = 'online', agent_version = s.agent_version,
              capabilities = s.capabilities, profile_sha256 = s.profile_sha256, transport = s.transport,
              node_id = s.node_id, session_id = s.session_id, remote_address = s.remote_address,
              listener_address = s.listener_address, staged_profile_sha256 = s.staged_profile_sha256,
              via = s.via, connected_at = now(), last_seen_at = now(),
              reported_groups = CASE WHEN s.reported_groups IS NULL THEN a.reported_groups
                                     ELSE ARRAY(SELECT jsonb_array_elements_text(s.reported_groups)) END
         FROM jsonb_to_recordset($1::jsonb)
              AS s(id text, agent_version text, capabilities jsonb, profile_sha256 text, transport text,
                   node_id text, session_id uuid, remote_address text, listener_address text,
                   staged_profile_sha256 text, via text, reported_groups jsonb)
        WHERE a.id = s.id`,
      [rows],
    );
  }

  /** Ends many sessions in one statement; a newer session of the same agent is left untouched. */
  async markEndedMany(
    ends: Array<{ agentId: string; sessionId: string; status: 'offline' | 'disconnected' }>,
  ): Promise<void> {
    if (ends.length === 0) return;
    await this.db.query(
      `UPDATE agents a SET connection_status = s.status, last_seen_at = now()
         FROM unnest($1::text[], $2::uuid[], $3::text[]) AS s(id, session_id, status)
        WHERE a.id = s.id AND a.session_id = s.session_id`,
      [ends.map((e) => e.agentId), ends.map((e) => e.sessionId), ends.map((e) => e.status)],
    );
  }

  /** Replaces the groups an admin set (reported groups stay); false when there is no such agent. */
  async setGroups(id: string, groups: string[]): Promise<boolean> {
    const rows: unknown[] = await this.db.query(`UPDATE agents SET groups = $2 WHERE id = $1 RETURNING id`, [
      id,
      groups,
    ]);
    return (rows[0] as unknown[]).length > 0;
  }

  /** Ends a session; a newer session of the same agent (another connection) is left untouched. */
  async markEnded(id: string, sessionId: string, status: 'offline' | 'disconnected'): Promise<void> {
    await this.db.query(
      `UPDATE agents SET connection_status = $3, last_seen_at = now() WHERE id = $1 AND session_id = $2`,
      [id, sessionId, status],
    );
  }

  /**
   * Agents a node left "online" when it stopped or died. `seen`: until now (this node stopping, it held
   * them to the end) or until the node's last heartbeat (a previous run of it that died).
   */
  async markNodeSessionsDisconnected(nodeId: string, seen: 'now' | 'last-heartbeat'): Promise<number> {
    const rows: unknown[] = await this.db.query(
      // Locked in id order first, like every statement that touches many agents (see sweepOrphans).
      `WITH held AS (
         SELECT a.id FROM agents a WHERE a.node_id = $1 AND a.connection_status = 'online'
          ORDER BY a.id FOR UPDATE OF a)
       UPDATE agents a SET connection_status = 'disconnected',
              last_seen_at = CASE WHEN $2 THEN now()
                                  ELSE greatest(a.last_seen_at, ${nodeHeartbeat('a')}) END
         FROM held h
        WHERE a.id = h.id AND a.node_id = $1 AND a.connection_status = 'online' RETURNING a.id`,
      [nodeId, seen === 'now'],
    );
    return (rows[0] as unknown[]).length;
  }

  /**
   * Agents left "online" on a node whose row is gone (declared dead, or pruned): nobody holds their
   * session. The nodes declared dead by their heartbeat go through markDeadNodeSessions first, which
   * writes that heartbeat as their last sight.
   */
  async sweepOrphans(): Promise<number> {
    const rows: unknown[] = await this.db.query(
      // Rows locked in id order first, as the session batches lock theirs (session-status.writer.ts):
      // updating in heap order deadlocked with them when a node stopped with 19,000 sessions.
      `WITH doomed AS (
         SELECT a.id FROM agents a
          WHERE ${onlineOnMissingNode('a')}
          ORDER BY a.id FOR UPDATE OF a)
       UPDATE agents a SET connection_status = 'disconnected'
         FROM doomed d
        WHERE a.id = d.id AND a.connection_status = 'online'
        RETURNING a.id`,
    );
    return (rows[0] as unknown[]).length;
  }

  async onlineOverPlain(): Promise<PlainSession[]> {
    return this.onlineOver('plain');
  }

  /** Agents online over `transport` (the strand checks: plain before closing it, secure before requiring mTLS). */
  async onlineOver(transport: Transport): Promise<PlainSession[]> {
    const rows: Array<
      Pick<StatusViewRow, 'id' | 'remote_address' | 'listener_address'> & { node_id: string }
    > = await this.db.query(
      `SELECT id, node_id, remote_address, listener_address FROM (${VIEW}) v WHERE v.status = 'online' AND v.transport = $1 ORDER BY id`,
      [transport],
    );
    return rows.map((r) => ({
      id: r.id,
      nodeId: r.node_id,
      remoteAddress: r.remote_address,
      listenerAddress: r.listener_address,
    }));
  }
}

/** A row of the status view, as Postgres answers it. */
export interface StatusViewRow {
  id: string;
  status: ConnectionStatus;
  transport: Transport | null;
  via: string | null;
  agent_version: string | null;
  capabilities: string[];
  profile_sha256: string | null;
  staged_profile_sha256: string | null;
  groups: string[];
  reported_groups: string[];
  node_id: string | null;
  remote_address: string | null;
  listener_address: string | null;
  enrolled_at: Date;
  revoked_at: Date | null;
  connected_at: Date | null;
  last_seen_at: Date | null;
}

function toView(r: StatusViewRow): AgentView {
  return {
    id: r.id,
    status: r.status,
    transport: r.transport,
    via: r.via,
    transportDisplay: displayTransport(r.transport, r.via),
    agentVersion: r.agent_version,
    capabilities: r.capabilities,
    profileSha256: r.profile_sha256,
    stagedProfileSha256: r.staged_profile_sha256,
    groups: [...new Set([...r.groups, ...r.reported_groups])].sort(),
    adminGroups: r.groups,
    reportedGroups: r.reported_groups,
    nodeId: r.node_id,
    remoteAddress: r.remote_address,
    enrolledAt: r.enrolled_at,
    revokedAt: r.revoked_at,
    connectedAt: r.connected_at,
    lastSeenAt: r.last_seen_at,
  };
}

function displayTransport(transport: Transport | null, via: string | null): string | null {
  if (!transport || !via) return transport;
  return `${transport} (via ${via.split('/')[0]})`;
}

/** A row of the status view as the API shows it (the live status reads changed rows, ADR 52). */
export const agentViewOf = (row: Record<string, unknown>): AgentView =>
  toView(row as unknown as StatusViewRow);
