import { z } from 'zod';
import { MAX_PROFILE_ARCHIVE_BYTES } from './profile-messages.js';

// A profile archive fetched over the agent's established session (issue 14, ADR 24): a download over a
// new TLS handshake fails right after a server-certificate change the agent does not trust yet; the
// session it already has does not depend on that handshake. The agent asks for chunks; central answers
// each with its bytes (base64, text frames only) or the reason it cannot.

/** Largest chunk asked for: 32 KiB is ~43.7 KB of base64, well inside a 64 KiB frame. */
export const PROFILE_CHUNK_BYTES = 32 * 1024;

const sha256 = z.string().regex(/^[0-9a-f]{64}$/, 'must be a lower-case hex sha256');
const offset = z.number().int().min(0).max(MAX_PROFILE_ARCHIVE_BYTES);

/** agent → central: bytes [offset, offset + length) of the archive with this sha256. */
export const profileFetchSchema = z.strictObject({
  type: z.literal('profile.fetch'),
  sha256,
  offset,
  length: z.number().int().min(1).max(PROFILE_CHUNK_BYTES),
});

/** central → agent: the asked-for bytes (`data`, base64) and the archive's size, or why not (`error`). */
export const profileChunkSchema = z
  .strictObject({
    type: z.literal('profile.chunk'),
    sha256,
    offset,
    totalBytes: z.number().int().min(1).max(MAX_PROFILE_ARCHIVE_BYTES).optional(),
    data: z
      .string()
      .max(Math.ceil(PROFILE_CHUNK_BYTES / 3) * 4)
      .regex(/^[A-Za-z0-9+/]*={0,2}$/, 'must be base64')
      .optional(),
    error: z.string().min(1).max(1024).optional(),
  })
  .refine(
    (f) =>
      f.error !== undefined ? f.data === undefined : f.data !== undefined && f.totalBytes !== undefined,
    {
      message: 'a chunk carries either data and totalBytes, or an error',
      path: ['data'],
    },
  );

export type ProfileFetch = z.infer<typeof profileFetchSchema>;
export type ProfileChunk = z.infer<typeof profileChunkSchema>;
