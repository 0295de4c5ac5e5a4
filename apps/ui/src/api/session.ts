import type { Me, Permission } from '../../../../libs/api/auth.js';
import type { Role } from '../../../../libs/api/users.js';
import { api, hasCsrfCookie, rememberCsrfToken } from './client.js';

const LOGGED_IN_HINT = 'switchyard.loggedIn';

export interface Session {
  username: string;
  role: Role;
  can(permission: Permission): boolean;
}

export function toSession(me: Me): Session {
  // Central always sends the role and the permissions it grants (GET /api/auth/me): the UI keeps no copy of
  // the route policy, and a permission it is not told about is not granted.
  const granted = new Set(
    Object.entries(me.permissions)
      .filter(([, v]) => v)
      .map(([k]) => k),
  );
  return { username: me.username, role: me.role, can: (p) => granted.has(p) };
}

/**
 * The session of an earlier visit, if any. Asked only when there is a sign of one (the CSRF cookie
 * or a hint from this tab), so a first visit shows the login page without a 401 in the console.
 */
export async function resumeSession(): Promise<Session | undefined> {
  if (!hasCsrfCookie() && !sessionStorage.getItem(LOGGED_IN_HINT)) return undefined;
  try {
    return toSession(await api<Me>('GET', '/api/auth/me'));
  } catch {
    sessionStorage.removeItem(LOGGED_IN_HINT);
    return undefined;
  }
}

export async function logIn(username: string, password: string): Promise<Session> {
  const answer = await api<{ csrfToken?: string }>('POST', '/api/auth/login', { username, password });
  rememberCsrfToken(answer.csrfToken);
  sessionStorage.setItem(LOGGED_IN_HINT, '1');
  return toSession(await api<Me>('GET', '/api/auth/me'));
}

export async function logOut(): Promise<void> {
  sessionStorage.removeItem(LOGGED_IN_HINT);
  await api('POST', '/api/auth/logout').catch(() => undefined);
  rememberCsrfToken(undefined);
}

export function forgetSession(): void {
  sessionStorage.removeItem(LOGGED_IN_HINT);
  rememberCsrfToken(undefined);
}
