import { agentFilterSchema, bulkBodySchema } from '../../../../libs/api/agent-bulk.js';
import { describeFilter } from './agent-filter.js';
import { filterSql } from './agent-selection.query.js';

describe('agent filters for bulk actions', () => {
  it('turns a filter into numbered SQL conditions over the status view', () => {
    const filter = agentFilterSchema.parse({ status: 'offline', group: 'north', lastSeenOlderThanDays: 30 });
    const { where, params } = filterSql(filter, 3);
    expect(where).toBe(
      "v.revoked_at IS NULL AND v.status = $3 AND ($4 = ANY(v.groups) OR $4 = ANY(v.reported_groups)) AND v.status <> 'online' AND coalesce(v.last_seen_at, v.enrolled_at) < now() - make_interval(secs => $5)",
    );
    expect(params).toEqual(['offline', 'north', 30 * 86_400]);
    expect(describeFilter(filter)).toBe('status offline, group north, last seen over 30 days ago');
    expect(describeFilter(agentFilterSchema.parse({}))).toBe('every active agent');
  });

  it('takes ids or a filter, not both, and caps the ids', () => {
    const schema = bulkBodySchema({});
    expect(schema.parse({ ids: ['a', 'a', 'b'] })).toEqual({ ids: ['a', 'b'], dryRun: false });
    expect(schema.safeParse({ ids: ['a'], filter: {} }).success).toBe(false);
    expect(schema.safeParse({}).success).toBe(false);
    const tooMany = schema.safeParse({ ids: Array.from({ length: 50_001 }, (_, i) => `a${i}`) });
    expect(tooMany.success ? '' : tooMany.error.issues[0]!.message).toMatch(/at most 50000 agents/);
  });
});
