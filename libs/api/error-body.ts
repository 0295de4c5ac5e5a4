import { z } from 'zod';
import { type Wire } from './wire.js';

// What every error answers (common/http-error.filter.ts): `{ error, message, details? }`.

/** One bad field of a 400, named by its path in the body (`waves.percentages`). */
export const fieldIssueSchema = z.object({ field: z.string(), message: z.string() });

export const errorBodySchema = z.object({
  error: z.string(),
  message: z.string(),
  /** A 400 lists every bad field in `details.issues`; a 409 may name what is in the way. */
  details: z.record(z.string(), z.unknown()).optional(),
});

export type FieldIssue = Wire<typeof fieldIssueSchema>;
export type ErrorBody = Wire<typeof errorBodySchema>;
