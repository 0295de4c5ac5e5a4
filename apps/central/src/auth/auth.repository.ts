import { Injectable } from '@nestjs/common';
import { DataSource } from 'typeorm';
import { type Role } from '../common/roles.js';

export interface AdminUser {
  id: string;
  username: string;
  passwordHash: string;
  role: Role;
}

export interface LiveSession {
  user: AdminUser;
  /** Null for sessions made before CSRF tokens existed: their writes are refused. */
  csrfHash: string | null;
}

@Injectable()
export class AuthRepository {
  constructor(private readonly db: DataSource) {}

  async countUsers(): Promise<number> {
    const [row] = await this.db.query('SELECT count(*)::int AS n FROM admin_users');
    return (row as { n: number }).n;
  }

  async createUser(username: string, passwordHash: string, role: Role): Promise<void> {
    await this.db.query('INSERT INTO admin_users (username, password_hash, role) VALUES ($1, $2, $3)', [
      username,
      passwordHash,
      role,
    ]);
  }

  async findUser(username: string): Promise<AdminUser | undefined> {
    const [row] = await this.db.query(
      'SELECT id, username, password_hash, role FROM admin_users WHERE username = $1',
      [username],
    );
    return row ? toUser(row as Record<string, unknown>) : undefined;
  }

  async createSession(
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
  async useSession(tokenHash: string, idleSeconds: number): Promise<LiveSession | undefined> {
    const [row] = await this.db.query(
      `WITH s AS (
         UPDATE admin_sessions SET last_seen_at = now()
          WHERE token_hash = $1 AND expires_at > now()
            AND last_seen_at > now() - make_interval(secs => $2)
          RETURNING user_id, csrf_hash)
       SELECT u.id, u.username, u.password_hash, u.role, s.csrf_hash FROM s JOIN admin_users u ON u.id = s.user_id`,
      [tokenHash, idleSeconds],
    );
    if (!row) return undefined;
    const r = row as Record<string, unknown>;
    return { user: toUser(r), csrfHash: (r.csrf_hash as string | null) ?? null };
  }

  /** Like useSession, but only looks: the idle clock does not move (for periodic re-checks). */
  async peekSession(tokenHash: string, idleSeconds: number): Promise<AdminUser | undefined> {
    const [row] = await this.db.query(
      `SELECT u.id, u.username, u.password_hash, u.role FROM admin_sessions s
         JOIN admin_users u ON u.id = s.user_id
        WHERE s.token_hash = $1 AND s.expires_at > now()
          AND s.last_seen_at > now() - make_interval(secs => $2)`,
      [tokenHash, idleSeconds],
    );
    return row ? toUser(row as Record<string, unknown>) : undefined;
  }

  async deleteSession(tokenHash: string): Promise<void> {
    await this.db.query('DELETE FROM admin_sessions WHERE token_hash = $1', [tokenHash]);
  }

  async deleteExpiredSessions(idleSeconds: number): Promise<void> {
    await this.db.query(
      `DELETE FROM admin_sessions
        WHERE expires_at <= now() OR last_seen_at <= now() - make_interval(secs => $1)`,
      [idleSeconds],
    );
  }
}

function toUser(r: Record<string, unknown>): AdminUser {
  return {
    id: r.id as string,
    username: r.username as string,
    passwordHash: r.password_hash as string,
    role: r.role as Role,
  };
}
