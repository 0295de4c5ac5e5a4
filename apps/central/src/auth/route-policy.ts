import { rolesFrom, type Role } from '../common/roles.js';
// The capabilities `GET /api/auth/me` tells the UI (so it shows no button that would answer 403) are
// part of the wire types.
import { CAPABILITIES, type Permission as Capability } from '../../../../libs/api/auth.js';

export interface RoutePolicy {
  /** A path prefix that matches on whole segments: `/api/agents` covers `/api/agents/x/revoke`. */
  prefix: string;
  /** Least role for writes (every method but GET, HEAD, OPTIONS). */
  writes: Role;
  /** Least role for reads; absent ⇒ any logged-in user. */
  reads?: Role;
  capability?: Capability;
}

/**
 * Who may do what, by route prefix (least privilege, docs/design.md §9, ADR 11). The longest matching prefix
 * wins; a write under no prefix needs `admin`, so a new route stays locked down until it is classified
 * here. Reads are open to every role unless `reads` says otherwise. `@Roles()` on a handler wins.
 */
export const ROUTE_POLICY: readonly RoutePolicy[] = [
  // One's own session and password.
  { prefix: '/api/auth', writes: 'viewer' },
  { prefix: '/api/users', reads: 'admin', writes: 'admin', capability: 'users.manage' },
  { prefix: '/api/settings', writes: 'admin', capability: 'settings.write' },
  // Server certificate, local CA, ACME.
  { prefix: '/api/certificates', writes: 'admin', capability: 'certificates.write' },
  { prefix: '/api/profiles', writes: 'operator', capability: 'profiles.write' },
  { prefix: '/api/rollouts', writes: 'operator', capability: 'rollouts.write' },
  { prefix: '/api/migration', writes: 'operator', capability: 'migration.write' },
  // Enrollment tokens, revocation (credentials and certificates), groups.
  { prefix: '/api/agents', writes: 'operator', capability: 'agents.write' },
  // Diagnostics bundles (ADR 44): logs and settings of agents, so reading them needs an operator too.
  { prefix: '/api/diagnostics', reads: 'operator', writes: 'operator', capability: 'agents.write' },
];

export const DEFAULT_WRITE_ROLE: Role = 'admin';

const READS = new Set(['GET', 'HEAD', 'OPTIONS']);

export function isRead(method: string): boolean {
  return READS.has(method.toUpperCase());
}

function covers(prefix: string, path: string): boolean {
  return path === prefix || path.startsWith(prefix.endsWith('/') ? prefix : `${prefix}/`);
}

export function policyFor(path: string): RoutePolicy | undefined {
  let best: RoutePolicy | undefined;
  for (const p of ROUTE_POLICY) {
    if (covers(p.prefix, path) && (!best || p.prefix.length > best.prefix.length)) best = p;
  }
  return best;
}

/** The roles allowed to call `method path`; `handlerRoles` (from `@Roles()`) wins over the table. */
export function allowedRoles(method: string, path: string, handlerRoles?: readonly Role[]): readonly Role[] {
  if (handlerRoles && handlerRoles.length > 0) return handlerRoles;
  const policy = policyFor(path);
  if (isRead(method)) return rolesFrom(policy?.reads ?? 'viewer');
  return rolesFrom(policy?.writes ?? DEFAULT_WRITE_ROLE);
}

/** Every capability, true when `role` may do it. */
export function permissionsOf(role: Role): Record<Capability, boolean> {
  const result = Object.fromEntries(CAPABILITIES.map((c) => [c, false])) as Record<Capability, boolean>;
  for (const p of ROUTE_POLICY) {
    if (p.capability) result[p.capability] = rolesFrom(p.writes).includes(role);
  }
  return result;
}
