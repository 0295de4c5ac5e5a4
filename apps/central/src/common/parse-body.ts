import { type z } from 'zod';
import { ValidationError } from './domain-error.js';

/** Validates an API body (or query) with a zod schema; every bad field is named in the 400. */
export function parseBody<S extends z.ZodType>(schema: S, body: unknown): z.infer<S> {
  const result = schema.safeParse(body ?? {});
  if (result.success) return result.data;
  throw new ValidationError(
    result.error.issues.map((i) => ({
      field: i.path.length > 0 ? i.path.join('.') : 'body',
      message: i.code === 'unrecognized_keys' ? `unknown field(s): ${i.keys.join(', ')}` : i.message,
    })),
  );
}
