import { type Role } from './types.js';

/** GET /api/users (admins only). */
export interface UserSummary {
  id: string;
  username: string;
  role: Role;
  createdAt: string;
  lastLoginAt: string | null;
}

/** GET /api/auth/sessions: a live login, never its token. */
export interface LoginSession {
  id: string;
  username: string;
  role: Role;
  address: string | null;
  startedAt: string;
  lastUsedAt: string;
  expiresAt: string;
  current: boolean;
}
