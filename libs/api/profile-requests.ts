import { z } from 'zod';
import { AGENT_VERSION_PATTERN } from '../profile-archive/profile-manifest.js';
import { truststoreSelectionSchema } from './profile-truststore.js';

// The bodies of /api/profiles (docs/profiles.md). Server side only: uploaded certificates are checked
// with Node (profile-truststore.ts); the answers are in profiles.ts.

/** The largest agent.conf a draft holds. */
export const MAX_AGENT_CONF_BYTES = 64 * 1024;

export const PROFILE_NAME_PATTERN = /^[A-Za-z0-9._-]{1,64}$/;
export const profileName = z
  .string()
  .regex(PROFILE_NAME_PATTERN, 'must be 1-64 characters of A-Z a-z 0-9 . _ -');

/**
 * Printable ASCII without blanks, quotes or backslashes: Java opens PKCS#12 stores only with ASCII
 * passwords, and the password is written into `jetty.jvm.args` where these would need quoting.
 */
export const truststorePassword = z
  .string()
  .regex(
    /^[!#-&(-[\]-~]{6,128}$/,
    'must be 6-128 printable ASCII characters without spaces, quotes or backslashes',
  );

const description = z.string().max(500, 'must be at most 500 characters');
const agentConf = z.string().max(MAX_AGENT_CONF_BYTES, `must be at most ${MAX_AGENT_CONF_BYTES} characters`);
const minimumAgentVersion = z.string().max(64).regex(AGENT_VERSION_PATTERN, 'must be a version like 1.4.0');
const requiredCapabilities = z
  .array(z.string().regex(/^[a-z0-9][a-z0-9._-]{0,63}$/, 'must be 1-64 characters of a-z 0-9 . _ -'))
  .max(16, 'at most 16 capabilities')
  .refine((list) => new Set(list).size === list.length, 'must not repeat a capability');
const propertyKey = z
  .string()
  .min(1, 'must not be empty')
  .max(256)
  .regex(/^[^\p{Cc}]+$/u, 'must not contain control characters');

/** What create and update share: the parts of a draft besides agent.conf. */
const draftSettings = {
  description: description.optional(),
  truststore: truststoreSelectionSchema.optional(),
  truststorePassword: truststorePassword.optional(),
  minimumAgentVersion: minimumAgentVersion.optional(),
  requiredCapabilities: requiredCapabilities.optional(),
};

/** POST /api/profiles: from a built-in template (`template`), from agent.conf text, or a bare minimum. */
export const createProfileSchema = z
  .strictObject({
    name: profileName,
    template: profileName.optional(),
    agentConf: agentConf.optional(),
    ...draftSettings,
  })
  .refine((b) => b.template === undefined || b.agentConf === undefined, {
    message: 'give either template or agentConf, not both',
    path: ['agentConf'],
  });
export type CreateProfileRequest = z.infer<typeof createProfileSchema>;

export const copyProfileSchema = z.strictObject({ name: profileName, description: description.optional() });
export type CopyProfileRequest = z.infer<typeof copyProfileSchema>;

/**
 * PUT /api/profiles/:name: agent.conf either as a whole (`agentConf`) or as edits (`set`, `unset`) applied
 * in place, so comments, order and unknown keys stay. `draftVersion` is the version the edit was based on.
 */
export const updateProfileSchema = z
  .strictObject({
    draftVersion: z.number().int().min(1),
    agentConf: agentConf.optional(),
    set: z
      .record(propertyKey, z.string().max(16 * 1024, 'must be at most 16384 characters'))
      .refine((r) => Object.keys(r).length <= 64, 'at most 64 keys at once')
      .optional(),
    unset: z.array(propertyKey).max(64).optional(),
    ...draftSettings,
  })
  .refine((b) => b.agentConf === undefined || (b.set === undefined && b.unset === undefined), {
    message: 'give either agentConf or set/unset, not both',
    path: ['agentConf'],
  });
export type UpdateProfileRequest = z.infer<typeof updateProfileSchema>;

const revisionRef = z.union([
  z.literal('draft'),
  z
    .string()
    .regex(/^[1-9]\d{0,8}$/, 'must be a revision number or "draft"')
    .transform(Number),
]);
/** GET /api/profiles/:name/diff?from=&to=: by default the latest revision against the draft. */
export const diffQuerySchema = z.object({ from: revisionRef.optional(), to: revisionRef.optional() });
export type RevisionRef = z.infer<typeof revisionRef>;

export const revisionNumber = z
  .string()
  .regex(/^[1-9]\d{0,8}$/, 'must be a revision number')
  .transform(Number);
