import { z } from 'zod';
import { timestamp, type Wire } from './wire.js';

// /api/users (admins only) and the roles every answer about a login names (ADR 11).

/** The three admin roles, least privileged first: each role can do everything the ones before it can. */
export const ROLES = ['viewer', 'operator', 'admin'] as const;
export type Role = (typeof ROLES)[number];

export const usernameSchema = z
  .string()
  .regex(/^[A-Za-z0-9._@-]{1,64}$/, 'must be 1-64 characters of A-Z a-z 0-9 . _ @ -');

export const passwordSchema = z
  .string()
  .min(12, 'must be at least 12 characters')
  .max(1024, 'must be at most 1024 characters');

export const roleSchema = z.enum(ROLES);

/** POST /api/users */
export const createUserSchema = z.strictObject({
  username: usernameSchema,
  role: roleSchema,
  password: passwordSchema,
});

/** PUT /api/users/:username/role */
export const roleChangeSchema = z.strictObject({ role: roleSchema });

/** PUT /api/users/:username/password */
export const passwordResetSchema = z.strictObject({ password: passwordSchema });

export const userSummarySchema = z.object({
  id: z.string(),
  username: z.string(),
  role: roleSchema,
  createdAt: timestamp,
  lastLoginAt: timestamp.nullable(),
});
export const userListSchema = z.array(userSummarySchema);

export const roleChangedSchema = z.object({ username: z.string(), role: roleSchema });
export const passwordResetDoneSchema = z.object({ reset: z.boolean() });
export const userDeletedSchema = z.object({ deleted: z.string() });

export type UserSummary = Wire<typeof userSummarySchema>;
