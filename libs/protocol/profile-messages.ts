import { z } from 'zod';

// Profile delivery (docs/design.md §5, §6): central tells an agent to fetch and stage a revision
// (`profile.sync`), later to activate it (`profile.activate`); the agent acknowledges every step with
// `profile.status`. Archives travel over HTTP(S) on the listener the agent is connected to, never in frames.

/** GET `${PROFILE_DOWNLOAD_PATH}<sha256>.zip` on the agent listener, with the agent's usual upgrade headers. */
export const PROFILE_DOWNLOAD_PATH = '/profiles/';

/** Largest archive central serves and agents accept (docs/design.md §5: 10 MiB unpacked; archives are smaller). */
export const MAX_PROFILE_ARCHIVE_BYTES = 10 * 1024 * 1024;

const sha256 = z.string().regex(/^[0-9a-f]{64}$/, 'must be a lower-case hex sha256');
const profileName = z
  .string()
  .regex(/^[A-Za-z0-9._-]{1,64}$/, 'must be 1-64 characters of A-Z a-z 0-9 . _ -');
/** Correlates acknowledgements with central's delivery (a rollout's agent entry); opaque to the agent. */
const deliveryId = z.string().min(1).max(64);

export const profileSyncSchema = z.strictObject({
  type: z.literal('profile.sync'),
  deliveryId,
  profile: profileName,
  revision: z.number().int().min(1),
  sha256,
  sizeBytes: z.number().int().min(1).max(MAX_PROFILE_ARCHIVE_BYTES),
});

export const profileActivateSchema = z.strictObject({
  type: z.literal('profile.activate'),
  deliveryId,
  profile: profileName,
  revision: z.number().int().min(1),
  sha256,
});

export const profileStateSchema = z.enum(['synchronizing', 'synchronized', 'applying', 'applied', 'failed']);
export type ProfileState = z.infer<typeof profileStateSchema>;

export const profileStatusSchema = z
  .strictObject({
    type: z.literal('profile.status'),
    deliveryId,
    sha256,
    state: profileStateSchema,
    /** Required with `failed`: what went wrong, in words an operator can act on. */
    reason: z.string().min(1).max(1024).optional(),
  })
  .refine((f) => f.state !== 'failed' || f.reason !== undefined, {
    message: 'a failed status needs a reason',
    path: ['reason'],
  });

export type ProfileSync = z.infer<typeof profileSyncSchema>;
export type ProfileActivate = z.infer<typeof profileActivateSchema>;
export type ProfileStatus = z.infer<typeof profileStatusSchema>;
