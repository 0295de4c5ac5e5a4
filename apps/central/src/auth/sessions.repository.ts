import { Injectable } from '@nestjs/common';
import { DataSource } from 'typeorm';
import { type Role } from '../common/roles.js';

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

@Injectable()
export class SessionsRepository {
  constructor(private readonly db: DataSource) {}

  /** Live sessions (neither past their end nor idle too long), of one user or (null) of everyone. */
  async list(userId: string | null, idleSeconds: number, currentHash: string): Promise<SessionSummary[]> {
    const rows: Array<Record<string, unknown>> = await this.db.query(
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
      id: r.id as string,
      username: r.username as string,
      role: r.role as Role,
      address: (r.address as string | null) ?? null,
      startedAt: r.created_at as Date,
      lastUsedAt: r.last_seen_at as Date,
      expiresAt: r.expires_at as Date,
      current: r.current === true,
    }));
  }

  /** Ends one session; `userId` restricts it to that user's own. The owner's name, or undefined. */
  async delete(id: string, userId: string | null): Promise<string | undefined> {
    const rows: unknown = await this.db.query(
      `WITH d AS (DELETE FROM admin_sessions WHERE id = $1 AND ($2::uuid IS NULL OR user_id = $2)
                  RETURNING user_id)
       SELECT u.username FROM d JOIN admin_users u ON u.id = d.user_id`,
      [id, userId],
    );
    const row = Array.isArray(rows) ? (rows[0] as { username?: string } | undefined) : undefined;
    return row?.username;
  }
}
