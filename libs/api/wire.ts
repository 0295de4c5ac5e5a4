import { z } from 'zod';

/**
 * A point in time on the wire: an ISO 8601 string, which is what `JSON.stringify` makes of the `Date`
 * central's services return. As a codec its input (the JSON a client reads) is the string and its
 * output (what a handler returns) the `Date`, so one schema types both ends.
 */
export const timestamp = z.codec(z.iso.datetime({ offset: true }), z.date(), {
  decode: (text) => new Date(text),
  encode: (date) => date.toISOString(),
});

/** What a handler returns for a response schema (timestamps as `Date`; JSON turns them into strings). */
export type Served<S extends z.ZodType> = z.output<S>;

/** What a client reads for a response schema: the JSON as it arrives. */
export type Wire<S extends z.ZodType> = z.input<S>;

/** The answer of the deletes and revokes that name what they removed. */
export const revokedSchema = z.object({ revoked: z.string() });
