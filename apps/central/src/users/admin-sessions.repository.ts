import { Injectable } from '@nestjs/common';
import { DataSource } from 'typeorm';
import { type Role } from '../common/roles.js';
import { queryRow, queryRows } from '../database/typed-query.js';
import { toAdminUser, type AdminUser, type AdminUserRow } from './users.repository.js';

/** A session the guard accepted: its user, and what the request's CSRF token must match. */
export interface LiveSession {
  user: AdminUser;
  /** Null for sessions made before CSRF tokens existed: their writes are refused. */
  csrfHash: string | null;
}

/** A live login session as the users and sessions screen shows it: never its token or token hash. */
export interface SessionSummary {
  id: string;
  username: string;
  role: Role;
  address: string | null;
  startedAt: Date;
  lastUsedAt: Date;
  expiresAt: Date;
  /** The session the request came with. */
  current: boolean;
}

interface SummaryRow {
  id: string;
  username: string;
  role: Role;
  address: string | null;
  created_at: Date;
  last_seen_at: Date;
  expires_at: Date;
  current: boolean;
}

/**
 * The `admin_sessions` table (owned by users/ with `admin_users`: the statements join the two). auth/
 * logs in and out through it; the idle and absolute limits come from the caller's configuration.
 */
@Injectable()
export class AdminSessionsRepository {
  constructor(private readonly db: DataSource) {}

  async create(
    s: { tokenHash: string; csrfHash: string; userId: string; address: string },
    maxSeconds: number,
  ): Promise<void> {
    await this.db.query(
      `INSERT INTO admin_sessions (token_hash, csrf_hash, user_id, address, expires_at)
       VALUES ($1, $2, $3, $4, now() + make_interval(secs => $5))`,
      [s.tokenHash, s.csrfHash, s.userId, s.address, maxSeconds],
    );
    // A new session is a successful login: the users screen shows when each user last logged in.
    await this.db.query('UPDATE admin_users SET last_login_at = now() WHERE id = $1', [s.userId]);
  }

  /**
   * The session's user when the session is neither past its absolute end nor idle for longer than
   * `idleSeconds`, and marks it used now (the idle limit slides). One statement, so no other request
   * can revive a session between the check and the update.
   */
  async use(tokenHash: string, idleSeconds: number): Promise<LiveSession | undefined> {
    const row = await queryRow<AdminUserRow & { csrf_hash: string | null }>(
      this.db,
      `WITH s AS (
         UPDATE admin_sessions SET last_seen_at = now()
          WHERE token_hash = $1 AND expires_at > now()
            AND last_seen_at > now() - make_interval(secs => $2)
          RETURNING user_id, csrf_hash)
       SELECT u.id, u.username, u.password_hash, u.role, s.csrf_hash FROM s JOIN admin_users u ON u.id = s.user_id`,
      [tokenHash, idleSeconds],
    );
    return row ? { user: toAdminUser(row), csrfHash: row.csrf_hash } : undefined;
  }

  /** Like use(), but only looks: the idle clock does not move (for periodic re-checks). */
  async peek(tokenHash: string, idleSeconds: number): Promise<AdminUser | undefined> {
    const row = await queryRow<AdminUserRow>(
      this.db,
      `SELECT u.id, u.username, u.password_hash, u.role FROM admin_sessions s
         JOIN admin_users u ON u.id = s.user_id
        WHERE s.token_hash = $1 AND s.expires_at > now()
          AND s.last_seen_at > now() - make_interval(secs => $2)`,
      [tokenHash, idleSeconds],
    );
    return row ? toAdminUser(row) : undefined;
  }

  /** Ends the session with this token (logout, or a session found dead). */
  async endByToken(tokenHash: string): Promise<void> {
    await this.db.query('DELETE FROM admin_sessions WHERE token_hash = $1', [tokenHash]);
  }

  async deleteExpired(idleSeconds: number): Promise<void> {
    await this.db.query(
      `DELETE FROM admin_sessions
        WHERE expires_at <= now() OR last_seen_at <= now() - make_interval(secs => $1)`,
      [idleSeconds],
    );
  }

  /** Live sessions (neither past their end nor idle too long), of one user or (null) of everyone. */
  async list(userId: string | null, idleSeconds: number, currentHash: string): Promise<SessionSummary[]> {
    const rows = await queryRows<SummaryRow>(
      this.db,
      `SELECT s.id, u.username, u.role, s.address, s.created_at, s.last_seen_at, s.expires_at,
              s.token_hash = $3 AS current
         FROM admin_sessions s JOIN admin_users u ON u.id = s.user_id
        WHERE ($1::uuid IS NULL OR s.user_id = $1) AND s.expires_at > now()
          AND s.last_seen_at > now() - make_interval(secs => $2)
        ORDER BY s.last_seen_at DESC
        LIMIT 1000`,
      [userId, idleSeconds, currentHash],
    );
    return rows.map((r) => ({
      id: r.id,
      username: r.username,
      role: r.role,
      address: r.address,
      startedAt: r.created_at,
      lastUsedAt: r.last_seen_at,
      expiresAt: r.expires_at,
      current: r.current === true,
    }));
  }

  /** Ends one session; `userId` restricts it to that user's own. The owner's name, or undefined. */
  async endById(id: string, userId: string | null): Promise<string | undefined> {
    const row = await queryRow<{ username: string }>(
      this.db,
      `WITH d AS (DELETE FROM admin_sessions WHERE id = $1 AND ($2::uuid IS NULL OR user_id = $2)
                  RETURNING user_id)
       SELECT u.username FROM d JOIN admin_users u ON u.id = d.user_id`,
      [id, userId],
    );
    return row?.username;
  }
}
