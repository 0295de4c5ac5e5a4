import { Injectable } from '@nestjs/common';
import { DataSource } from 'typeorm';

export type Role = 'admin' | 'operator' | 'viewer';

export interface AdminUser {
  id: string;
  username: string;
  passwordHash: string;
  role: Role;
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

  async createSession(tokenHash: string, userId: string, address: string, ttlSeconds: number): Promise<void> {
    await this.db.query(
      `INSERT INTO admin_sessions (token_hash, user_id, address, expires_at)
       VALUES ($1, $2, $3, now() + make_interval(secs => $4))`,
      [tokenHash, userId, address, ttlSeconds],
    );
  }

  async findSessionUser(tokenHash: string): Promise<AdminUser | undefined> {
    const [row] = await this.db.query(
      `SELECT u.id, u.username, u.password_hash, u.role FROM admin_sessions s
         JOIN admin_users u ON u.id = s.user_id
        WHERE s.token_hash = $1 AND s.expires_at > now()`,
      [tokenHash],
    );
    return row ? toUser(row as Record<string, unknown>) : undefined;
  }

  async deleteSession(tokenHash: string): Promise<void> {
    await this.db.query('DELETE FROM admin_sessions WHERE token_hash = $1', [tokenHash]);
  }

  async deleteExpiredSessions(): Promise<void> {
    await this.db.query('DELETE FROM admin_sessions WHERE expires_at < now()');
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
