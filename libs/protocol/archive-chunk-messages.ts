import { z } from 'zod';

// An archive fetched over the agent's established session, chunk by chunk: profile archives (ADR 24,
// `profile.fetch` → `profile.chunk`) and agent packages (ADR 45, `package.fetch` → `package.chunk`) use
// the same two frames under their own type and bounds. One definition, so the two cannot drift.

const sha256 = z.string().regex(/^[0-9a-f]{64}$/, 'must be a lower-case hex sha256');

/** The bounds of one kind of archive: its largest size and the largest chunk asked for. */
export interface ArchiveBounds {
  maxArchiveBytes: number;
  chunkBytes: number;
}

/** agent → central: bytes [offset, offset + length) of the archive with this sha256. */
export function archiveFetchSchema<T extends string>(type: T, bounds: ArchiveBounds) {
  return z.strictObject({
    type: z.literal(type),
    sha256,
    offset: z.number().int().min(0).max(bounds.maxArchiveBytes),
    length: z.number().int().min(1).max(bounds.chunkBytes),
  });
}

/** central → agent: the asked-for bytes (`data`, base64) and the archive's size, or why not (`error`). */
export function archiveChunkSchema<T extends string>(type: T, bounds: ArchiveBounds) {
  return z
    .strictObject({
      type: z.literal(type),
      sha256,
      offset: z.number().int().min(0).max(bounds.maxArchiveBytes),
      totalBytes: z.number().int().min(1).max(bounds.maxArchiveBytes).optional(),
      data: z
        .string()
        .max(Math.ceil(bounds.chunkBytes / 3) * 4)
        .regex(/^[A-Za-z0-9+/]*={0,2}$/, 'must be base64')
        .optional(),
      error: z.string().min(1).max(1024).optional(),
    })
    .refine(
      (f) =>
        f.error !== undefined ? f.data === undefined : f.data !== undefined && f.totalBytes !== undefined,
      { message: 'a chunk carries either data and totalBytes, or an error', path: ['data'] },
    );
}
