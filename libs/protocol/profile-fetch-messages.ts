import type { z } from 'zod';
import { archiveChunkSchema, archiveFetchSchema } from './archive-chunk-messages.js';
import { MAX_PROFILE_ARCHIVE_BYTES } from './profile-messages.js';

// A profile archive fetched over the agent's established session (issue 14, ADR 24): a download over a
// new TLS handshake fails right after a server-certificate change the agent does not trust yet; the
// session it already has does not depend on that handshake. The agent asks for chunks; central answers
// each with its bytes (base64, text frames only) or the reason it cannot.

/** Largest chunk asked for: 32 KiB is ~43.7 KB of base64, well inside a 64 KiB frame. */
export const PROFILE_CHUNK_BYTES = 32 * 1024;

const bounds = { maxArchiveBytes: MAX_PROFILE_ARCHIVE_BYTES, chunkBytes: PROFILE_CHUNK_BYTES };

/** agent → central: bytes [offset, offset + length) of the archive with this sha256. */
export const profileFetchSchema = archiveFetchSchema('profile.fetch', bounds);

/** central → agent: the asked-for bytes (`data`, base64) and the archive's size, or why not (`error`). */
export const profileChunkSchema = archiveChunkSchema('profile.chunk', bounds);

export type ProfileFetch = z.infer<typeof profileFetchSchema>;
export type ProfileChunk = z.infer<typeof profileChunkSchema>;
