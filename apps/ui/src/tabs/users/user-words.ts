import type { Role } from '../../../../../libs/api/users.js';
import { ApiError, isRefusal } from '../../api/client.js';
import { messageOf } from '../../components/errors.js';

/** What each role may do, in the words of the Users screen (the route policy of ADR 11). */
export const ROLE_WORDS: Record<Role, string> = {
  viewer: 'sees everything, changes nothing',
  operator: 'runs profiles, rollouts, agents and the migration',
  admin: 'everything, including settings, certificates and users',
};

export const PASSWORD_HINT = 'At least 12 characters.';

/** The form field each API field shows up under. */
const FIELD_LABELS: Record<string, string> = {
  username: 'User name',
  password: 'Password',
  newPassword: 'New password',
  currentPassword: 'Current password',
  role: 'Role',
};

/**
 * A refused user or password change, split into the message for the form and one per field. Field
 * messages are the API's ("must be at least 12 characters"), shown under the field they name; the rest
 * is the API's sentence, which already says what to do ("make another user admin first").
 */
export function userRefusal(e: unknown): { message: string; fields: Record<string, string> } {
  if (!(e instanceof ApiError)) return { message: messageOf(e), fields: {} };
  const fields: Record<string, string> = {};
  for (const i of e.issues) if (FIELD_LABELS[i.field]) fields[i.field] ??= i.message;
  const unplaced = e.issues.filter((i) => !FIELD_LABELS[i.field]);
  if (e.issues.length > 0) {
    const rest = unplaced.map((i) => `${i.field}: ${i.message}`).join('; ');
    return { message: rest || 'Nothing was changed: correct the fields marked below.', fields };
  }
  if (isRefusal(e, 'current_password_wrong')) {
    return {
      message: 'Nothing was changed.',
      fields: { currentPassword: 'this is not your current password' },
    };
  }
  if (isRefusal(e, 'too_many_login_attempts')) {
    const wait = typeof e.body.retryAfterSeconds === 'number' ? ` (about ${e.body.retryAfterSeconds} s)` : '';
    return { message: `Too many wrong passwords: wait${wait} and try again.`, fields };
  }
  return { message: capitalize(e.message), fields };
}

function capitalize(s: string): string {
  return s.charAt(0).toUpperCase() + s.slice(1);
}
