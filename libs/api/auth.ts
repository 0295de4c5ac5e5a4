import { z } from 'zod';
import { passwordSchema, roleSchema } from './users.js';
import { timestamp, type Wire } from './wire.js';

// /api/auth: login, logout, who is logged in, one's own password, login sessions (ADR 11, ADR 39).

/** What a role may change, as the route policy grants it; the UI shows no button that would answer 403. */
export const CAPABILITIES = [
  'settings.write',
  'certificates.write',
  'profiles.write',
  'rollouts.write',
  'migration.write',
  'agents.write',
  'users.manage',
] as const;
export type Permission = (typeof CAPABILITIES)[number];

/** POST /api/auth/login */
export const loginSchema = z.strictObject({
  username: z.string().min(1).max(128),
  password: z.string().min(1).max(1024),
});

/** POST /api/auth/password */
export const passwordChangeSchema = z.strictObject({
  currentPassword: z.string().min(1).max(1024),
  newPassword: passwordSchema,
});

/** GET /api/auth/sessions?scope */
export const sessionListQuerySchema = z.strictObject({
  scope: z.enum(['mine', 'all'], "must be 'mine' or 'all' (all: admins only)").default('mine'),
});

export const sessionIdSchema = z.uuid('must be a session id as listed by GET /api/auth/sessions');

/** GET /api/auth/me: who is logged in and what they may do. */
export const meSchema = z.object({
  username: z.string(),
  role: roleSchema,
  permissions: z.record(z.enum(CAPABILITIES), z.boolean()),
});

/** POST /api/auth/login: as /me, with the token the UI sends back in `X-CSRF-Token` on every write. */
export const loginAnswerSchema = meSchema.extend({ csrfToken: z.string() });

export const loggedOutSchema = z.object({ loggedOut: z.boolean() });
export const passwordChangedSchema = z.object({ changed: z.boolean() });

/** A live login, never its token. */
export const loginSessionSchema = z.object({
  id: z.string(),
  username: z.string(),
  role: roleSchema,
  address: z.string().nullable(),
  startedAt: timestamp,
  lastUsedAt: timestamp,
  expiresAt: timestamp,
  /** The session the request came with. */
  current: z.boolean(),
});
export const loginSessionListSchema = z.array(loginSessionSchema);
export const sessionEndedSchema = z.object({ ended: z.string(), username: z.string() });

export type Me = Wire<typeof meSchema>;
export type LoginSession = Wire<typeof loginSessionSchema>;
