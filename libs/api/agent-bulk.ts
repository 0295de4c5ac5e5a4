import { z } from 'zod';
import { AGENT_STATUSES, groupName, MAX_ADMIN_GROUPS, TRANSPORTS } from './agents.js';
import { type Wire } from './wire.js';

// /api/agents/bulk/*: one action on agents named by id or matched by a filter (ADR 40).

/**
 * The most agents one bulk action takes, by ids or by filter: one transaction must stay short enough not
 * to hold the agents' rows against the hello path for long (50,000 ids are about 1 MB of JSON).
 */
export const BULK_MAX_AGENTS = 50_000;

/** Which agents a bulk action or a table means, in the words of the Agents tab's filters. */
export const agentFilterSchema = z.strictObject({
  status: z.enum(AGENT_STATUSES).optional(),
  transport: z.enum(TRANSPORTS).optional(),
  group: groupName.optional(),
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
/** A filter as a client sends it (`revoked` may be left out). */
export type AgentFilterInput = z.input<typeof agentFilterSchema>;

/** A list of agent ids (duplicates count once). */
export const agentIdsSchema = z
  .array(z.string().min(1, 'an agent id cannot be empty').max(200))
  .min(1, 'name at least one agent')
  .max(BULK_MAX_AGENTS, `at most ${BULK_MAX_AGENTS} agents in one action: split the list or use a filter`)
  .transform((ids) => [...new Set(ids)]);

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

export const bulkExemptRequestSchema = bulkBodySchema({
  reason: z.string().trim().min(1, 'say why (it is audited)').max(1000),
  expiresAt: z.iso.datetime({ offset: true }).transform((v) => new Date(v)),
});
/** unexempt, revoke, delete: the selection alone. */
export const bulkRequestSchema = bulkBodySchema({});
export const bulkGroupsRequestSchema = bulkBodySchema({
  mode: z.enum(['set', 'add', 'remove']),
  groups: z
    .array(groupName)
    .max(MAX_ADMIN_GROUPS)
    .transform((groups) => [...new Set(groups)].sort()),
});
export const bulkRetryRequestSchema = bulkBodySchema({ rolloutId: z.uuid('must be a rollout id') });

export const BULK_ACTIONS = ['exempt', 'unexempt', 'revoke', 'delete', 'groups', 'retry'] as const;

/** What a bulk action did (or, with `dryRun`, would do). */
export const bulkResultSchema = z.object({
  action: z.enum(BULK_ACTIONS),
  dryRun: z.boolean(),
  /** What was asked for, in words ("1000 agent ids", "status offline, last seen over 30 days ago"). */
  selection: z.string(),
  matched: z.number(),
  changed: z.number(),
  /** Agents left alone, by reason, with the first few of their ids. */
  skipped: z.array(z.object({ reason: z.string(), count: z.number(), agentIds: z.array(z.string()) })),
});

export type BulkResult = Wire<typeof bulkResultSchema>;
export type BulkActionName = BulkResult['action'];
