import { Injectable } from '@nestjs/common';
import { DataSource, type EntityManager } from 'typeorm';
import { type Role } from '../common/roles.js';

export interface UserSummary {
  id: string;
  username: string;
  role: Role;
  createdAt: Date;
  lastLoginAt: Date | null;
}

/** What a change that could remove the last admin did. */
export type GuardedChange = 'done' | 'not_found' | 'last_admin';

const UNIQUE_VIOLATION = '23505';

@Injectable()
export class UsersRepository {
  constructor(private readonly db: DataSource) {}

  async list(): Promise<UserSummary[]> {
    const rows: Array<Record<string, unknown>> = await this.db.query(
      'SELECT id, username, role, created_at, last_login_at FROM admin_users ORDER BY username',
    );
    return rows.map(toSummary);
  }

  /** Undefined when the name is taken. */
  async create(username: string, role: Role, passwordHash: string): Promise<UserSummary | undefined> {
    try {
      const [row] = await this.db.query(
        `INSERT INTO admin_users (username, password_hash, role) VALUES ($1, $2, $3)
         RETURNING id, username, role, created_at, last_login_at`,
        [username, passwordHash, role],
      );
      return toSummary(row as Record<string, unknown>);
    } catch (error) {
      if ((error as { code?: string }).code === UNIQUE_VIOLATION) return undefined;
      throw error;
    }
  }

  async setRole(username: string, role: Role): Promise<GuardedChange> {
    return this.withAdminsLocked(async (tx, admins) => {
      const [row] = await tx.query('SELECT role FROM admin_users WHERE username = $1 FOR UPDATE', [username]);
      if (!row) return 'not_found';
      if ((row as { role: Role }).role === 'admin' && role !== 'admin' && admins <= 1) return 'last_admin';
      await tx.query('UPDATE admin_users SET role = $2 WHERE username = $1', [username, role]);
      return 'done';
    });
  }

  async delete(username: string): Promise<GuardedChange> {
    return this.withAdminsLocked(async (tx, admins) => {
      const [row] = await tx.query('SELECT role FROM admin_users WHERE username = $1 FOR UPDATE', [username]);
      if (!row) return 'not_found';
      if ((row as { role: Role }).role === 'admin' && admins <= 1) return 'last_admin';
      // Sessions go with the user (ON DELETE CASCADE).
      await tx.query('DELETE FROM admin_users WHERE username = $1', [username]);
      return 'done';
    });
  }

  /** Sets the hash and ends the user's sessions except `keepSessionHash` (the caller's own). */
  async setPassword(
    username: string,
    passwordHash: string,
    keepSessionHash: string | null,
  ): Promise<boolean> {
    return this.db.transaction(async (tx) => {
      const rows: Array<{ id: string }> = await tx.query(
        'UPDATE admin_users SET password_hash = $2 WHERE username = $1 RETURNING id',
        [username, passwordHash],
      );
      // node-postgres returns [rows, count] for UPDATE … RETURNING through TypeORM's query().
      const id = firstId(rows);
      if (!id) return false;
      await tx.query(
        'DELETE FROM admin_sessions WHERE user_id = $1 AND ($2::text IS NULL OR token_hash <> $2)',
        [id, keepSessionHash],
      );
      return true;
    });
  }

  /**
   * Runs `fn` with every admin row locked, so two admins demoting or deleting each other at the same
   * time cannot leave none: the second waits and then counts what the first left.
   */
  private withAdminsLocked<T>(fn: (tx: EntityManager, admins: number) => Promise<T>): Promise<T> {
    return this.db.transaction(async (tx) => {
      const admins: unknown[] = await tx.query("SELECT id FROM admin_users WHERE role = 'admin' FOR UPDATE");
      return fn(tx, admins.length);
    });
  }
}

function firstId(result: unknown): string | undefined {
  const rows = Array.isArray(result) && Array.isArray(result[0]) ? (result[0] as unknown[]) : result;
  const row = Array.isArray(rows) ? (rows[0] as { id?: string } | undefined) : undefined;
  return row?.id;
}

function toSummary(r: Record<string, unknown>): UserSummary {
  return {
    id: r.id as string,
    username: r.username as string,
    role: r.role as Role,
    createdAt: r.created_at as Date,
    lastLoginAt: (r.last_login_at as Date | null) ?? null,
  };
}
