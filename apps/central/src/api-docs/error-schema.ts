import { ERROR_DOMAINS, HTTP_STATUS_BY_CATEGORY } from '../../../../libs/api/errors/index.js';

/**
 * The JSON Schema of every refusal's body (ADR 49): `error` the category scripts have always read,
 * `code` the precise refusal, each listed by domain with its category in `x-codes-by-domain`.
 */
export function errorBodySchema(): Record<string, unknown> {
  const byDomain = Object.fromEntries(
    Object.entries(ERROR_DOMAINS).map(([domain, table]) => [domain, { ...table }]),
  );
  const codes = Object.values(ERROR_DOMAINS).flatMap((table) => Object.keys(table));
  return {
    type: 'object',
    required: ['error', 'code', 'message'],
    properties: {
      error: {
        description: 'the kind of refusal, which fixes the HTTP status',
        enum: [...Object.keys(HTTP_STATUS_BY_CATEGORY), 'http_error'],
      },
      code: { description: 'the precise refusal, one per domain case', enum: [...codes, 'http_error'] },
      message: { type: 'string', description: 'what is wrong, in words for people' },
    },
    additionalProperties: { description: 'details named by the code (issues, agents, state, ...)' },
    'x-status-by-category': { ...HTTP_STATUS_BY_CATEGORY },
    'x-codes-by-domain': byDomain,
  };
}
