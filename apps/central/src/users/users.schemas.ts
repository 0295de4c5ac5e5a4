import { z } from 'zod';
import { ROLES } from '../common/roles.js';

export const usernameSchema = z
  .string()
  .regex(/^[A-Za-z0-9._@-]{1,64}$/, 'must be 1-64 characters of A-Z a-z 0-9 . _ @ -');

export const passwordSchema = z
  .string()
  .min(12, 'must be at least 12 characters')
  .max(1024, 'must be at most 1024 characters');

export const roleSchema = z.enum(ROLES);

export const createUserSchema = z.strictObject({
  username: usernameSchema,
  role: roleSchema,
  password: passwordSchema,
});

export const roleChangeSchema = z.strictObject({ role: roleSchema });

export const passwordResetSchema = z.strictObject({ password: passwordSchema });
