import { Injectable } from '@nestjs/common';
import { DataSource, type EntityManager } from 'typeorm';
import { type Role } from '../common/roles.js';
import { queryRow, queryRows } from '../database/typed-query.js';

export interface UserSummary {
  id: string;
  username: string;
  role: Role;
  createdAt: Date;
  lastLoginAt: Date | null;
}

/** A user as the login checks it: with the password hash, which never leaves central. */
export interface AdminUser {
  id: string;
  username: string;
  passwordHash: string;
  role: Role;
}

/** What a change that could remove the last admin did. */
export type GuardedChange = 'done' | 'not_found' | 'last_admin';

interface SummaryRow {
  id: string;
  username: string;
  role: Role;
  created_at: Date;
  last_login_at: Date | null;
}

export interface AdminUserRow {
  id: string;
  username: string;
  password_hash: string;
  role: Role;
}

const UNIQUE_VIOLATION = '23505';

/**
 * The `admin_users` table. users/ owns it and `admin_sessions` (admin-sessions.repository.ts): a session
 * belongs to a user (ON DELETE CASCADE, a new password ends them), and auth/ depends on users/, never
 * the other way round.
 */
@Injectable()
export class UsersRepository {
  constructor(private readonly db: DataSource) {}

  async count(): Promise<number> {
    const row = await queryRow<{ n: number }>(this.db, 'SELECT count(*)::int AS n FROM admin_users');
    return row?.n ?? 0;
  }

  async list(): Promise<UserSummary[]> {
    const rows = await queryRows<SummaryRow>(
      this.db,
      'SELECT id, username, role, created_at, last_login_at FROM admin_users ORDER BY username',
    );
    return rows.map(toSummary);
  }

  /** The user with their password hash, for checking a password. */
  async findCredentials(username: string): Promise<AdminUser | undefined> {
    const row = await queryRow<AdminUserRow>(
      this.db,
      'SELECT id, username, password_hash, role FROM admin_users WHERE username = $1',
      [username],
    );
    return row ? toAdminUser(row) : undefined;
  }

  /** Undefined when the name is taken. */
  async create(username: string, role: Role, passwordHash: string): Promise<UserSummary | undefined> {
    try {
      const row = await queryRow<SummaryRow>(
        this.db,
        `INSERT INTO admin_users (username, password_hash, role) VALUES ($1, $2, $3)
         RETURNING id, username, role, created_at, last_login_at`,
        [username, passwordHash, role],
      );
      return row && toSummary(row);
    } catch (error) {
      if ((error as { code?: string }).code === UNIQUE_VIOLATION) return undefined;
      throw error;
    }
  }

  async setRole(username: string, role: Role): Promise<GuardedChange> {
    return this.withAdminsLocked(async (tx, admins) => {
      const row = await queryRow<{ role: Role }>(
        tx,
        'SELECT role FROM admin_users WHERE username = $1 FOR UPDATE',
        [username],
      );
      if (!row) return 'not_found';
      if (row.role === 'admin' && role !== 'admin' && admins <= 1) return 'last_admin';
      await tx.query('UPDATE admin_users SET role = $2 WHERE username = $1', [username, role]);
      return 'done';
    });
  }

  async delete(username: string): Promise<GuardedChange> {
    return this.withAdminsLocked(async (tx, admins) => {
      const row = await queryRow<{ role: Role }>(
        tx,
        'SELECT role FROM admin_users WHERE username = $1 FOR UPDATE',
        [username],
      );
      if (!row) return 'not_found';
      if (row.role === 'admin' && admins <= 1) return 'last_admin';
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
      const row = await queryRow<{ id: string }>(
        tx,
        'UPDATE admin_users SET password_hash = $2 WHERE username = $1 RETURNING id',
        [username, passwordHash],
      );
      if (!row) return false;
      await tx.query(
        'DELETE FROM admin_sessions WHERE user_id = $1 AND ($2::text IS NULL OR token_hash <> $2)',
        [row.id, keepSessionHash],
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
      const admins = await queryRows(tx, "SELECT id FROM admin_users WHERE role = 'admin' FOR UPDATE");
      return fn(tx, admins.length);
    });
  }
}

function toSummary(r: SummaryRow): UserSummary {
  return {
    id: r.id,
    username: r.username,
    role: r.role,
    createdAt: r.created_at,
    lastLoginAt: r.last_login_at,
  };
}

export function toAdminUser(r: AdminUserRow): AdminUser {
  return { id: r.id, username: r.username, passwordHash: r.password_hash, role: r.role };
}
