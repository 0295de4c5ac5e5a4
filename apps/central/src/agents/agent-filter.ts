import { z } from 'zod';
import { GROUP_NAME_PATTERN } from '../../../../libs/protocol/index.js';

/**
 * The most agents one bulk action takes, by ids or by filter: one transaction must stay short enough not
 * to hold the agents' rows against the hello path for long (50,000 ids are about 1 MB of JSON).
 */
export const BULK_MAX_AGENTS = 50_000;

const GROUP_MESSAGE = 'must be 1-64 characters of A-Z a-z 0-9 . _ -';

/** Which agents a bulk action or a table means, in the words of the Agents tab's filters. */
export const agentFilterSchema = z.strictObject({
  status: z.enum(['online', 'offline', 'disconnected', 'never_connected']).optional(),
  transport: z.enum(['plain', 'secure', 'secure+mtls']).optional(),
  group: z.string().regex(GROUP_NAME_PATTERN, GROUP_MESSAGE).optional(),
  /** The agent version it reported, exactly (`0.4.1`). */
  version: z.string().min(1).max(64).optional(),
  /** The profile it should run (its desired profile's name). */
  profile: z.string().min(1).max(64).optional(),
  /** Not seen for more than this many days (never seen: enrolled that long ago). Online agents never match. */
  lastSeenOlderThanDays: z.number().min(0).max(3650).optional(),
  /** false (the default): active agents only; true: revoked agents only (to delete them). */
  revoked: z.boolean().default(false),
});

export type AgentFilter = z.infer<typeof agentFilterSchema>;

/** A list of agent ids (duplicates count once). */
export const agentIdsSchema = z
  .array(z.string().min(1, 'an agent id cannot be empty').max(200))
  .min(1, 'name at least one agent')
  .max(BULK_MAX_AGENTS, `at most ${BULK_MAX_AGENTS} agents in one action: split the list or use a filter`)
  .transform((ids) => [...new Set(ids)]);

/** Either the agents named, or every agent a filter matches. */
export type AgentSelection = { ids: string[] } | { filter: AgentFilter };

/**
 * A bulk request's body: `ids` or `filter` (exactly one), `dryRun`, and the action's own fields.
 * Answers the selection apart from the rest.
 */
export function bulkBodySchema<T extends z.ZodRawShape>(fields: T) {
  return z
    .strictObject({
      ids: agentIdsSchema.optional(),
      filter: agentFilterSchema.optional(),
      /** Count what the action would change, change nothing. */
      dryRun: z.boolean().default(false),
      ...fields,
    })
    .superRefine((parsed, ctx) => {
      const body = parsed as { ids?: unknown; filter?: unknown };
      if ((body.ids === undefined) === (body.filter === undefined))
        ctx.addIssue({
          code: 'custom',
          path: ['ids'],
          message: 'give either "ids" (a list of agent ids) or "filter" (which agents), not both or neither',
        });
    });
}

export function selectionOf(body: { ids?: string[]; filter?: AgentFilter }): AgentSelection {
  return body.ids ? { ids: body.ids } : { filter: body.filter! };
}

/** The filter in words, for audit records and answers ("status offline, last seen over 30 days ago"). */
export function describeFilter(filter: AgentFilter): string {
  const parts: string[] = [];
  if (filter.status) parts.push(`status ${filter.status}`);
  if (filter.transport) parts.push(`transport ${filter.transport}`);
  if (filter.group) parts.push(`group ${filter.group}`);
  if (filter.version) parts.push(`version ${filter.version}`);
  if (filter.profile) parts.push(`profile ${filter.profile}`);
  if (filter.lastSeenOlderThanDays !== undefined)
    parts.push(`last seen over ${filter.lastSeenOlderThanDays} days ago`);
  if (filter.revoked) parts.push('revoked');
  return parts.length > 0 ? parts.join(', ') : 'every active agent';
}
