import { SetMetadata } from '@nestjs/common';
import { type Role } from '../common/roles.js';

export const ROLES_KEY = 'switchyard:roles';

/**
 * The roles allowed on one handler (or every handler of a controller), for the exceptions to the
 * route policy table (route-policy.ts): when present it wins over the table, for reads and writes.
 */
export const Roles = (...roles: [Role, ...Role[]]) => SetMetadata(ROLES_KEY, roles);
