/** The three admin roles, least privileged first: each role can do everything the ones before it can. */
export const ROLES = ['viewer', 'operator', 'admin'] as const;

export type Role = (typeof ROLES)[number];

export function isRole(value: unknown): value is Role {
  return typeof value === 'string' && (ROLES as readonly string[]).includes(value);
}

/** The roles that hold at least `minimum`'s rights (`operator` → operator and admin). */
export function rolesFrom(minimum: Role): Role[] {
  return ROLES.slice(ROLES.indexOf(minimum));
}
