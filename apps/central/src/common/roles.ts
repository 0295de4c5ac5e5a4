import { ROLES, type Role } from '../../../../libs/api/users.js';

// The roles are part of the wire types (libs/api): one list for central, the API and the UI.
export { ROLES, type Role } from '../../../../libs/api/users.js';

export function isRole(value: unknown): value is Role {
  return typeof value === 'string' && (ROLES as readonly string[]).includes(value);
}

/** The roles that hold at least `minimum`'s rights (`operator` → operator and admin). */
export function rolesFrom(minimum: Role): Role[] {
  return ROLES.slice(ROLES.indexOf(minimum));
}
