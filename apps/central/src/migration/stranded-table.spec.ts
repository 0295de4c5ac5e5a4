import { type AgentGateFacts } from './agent-gate-facts.js';
import { compactLists } from './compact-lists.js';
import { assessSecureOnly } from './secure-only-gate.js';
import {
  describeCounts,
  describeStrandedFilter,
  filterStranded,
  someIds,
  strandedCounts,
  strandedRows,
} from './stranded-table.js';

const NOW = new Date('2026-12-07T12:00:00Z');
const daysAgo = (d: number) => new Date(NOW.getTime() - d * 86_400_000);

function agent(id: string, over: Partial<AgentGateFacts> = {}): AgentGateFacts {
  return {
    id,
    status: 'offline',
    transport: 'plain',
    via: null,
    agentVersion: '0.5.0',
    capabilities: ['wss'],
    connectedAt: daysAgo(41),
    lastSeenAt: daysAgo(40),
    history: null,
    exemption: null,
    rollout: null,
    groups: [],
    enrolledAt: daysAgo(100),
    ...over,
  };
}

describe('the stranded table', () => {
  const facts = [
    agent('a-old', { groups: ['north'] }),
    agent('b-recent', { lastSeenAt: daysAgo(3) }),
    agent('c-legacy', { capabilities: [], lastSeenAt: daysAgo(2) }),
    agent('d-never', { connectedAt: null, lastSeenAt: null, enrolledAt: daysAgo(1) }),
    agent('e-secure', { transport: 'secure', status: 'online' }),
  ];
  const gate = assessSecureOnly(facts, NOW, 24);
  const rows = strandedRows(gate.stranded, facts);

  it('counts every stranded agent under each of its reasons, and says it biggest first', () => {
    const counts = strandedCounts(gate.stranded);
    expect(counts).toEqual({
      total: 4,
      byReason: { offline: 3, plain: 3, cannot_wss: 1, failed_apply: 0, never_connected: 1 },
    });
    expect(describeCounts(counts)).toBe('3 offline, 3 still on plain, 1 cannot do wss, 1 never connected');
  });

  it('filters by reason, group, days unseen (never seen: since enrolled) and id', () => {
    const ids = (f: Parameters<typeof filterStranded>[1]) =>
      filterStranded(rows, f, NOW).map((r) => r.agentId);
    expect(ids({ reason: 'cannot_wss' })).toEqual(['c-legacy']);
    expect(ids({ reason: 'never_connected' })).toEqual(['d-never']);
    expect(ids({ group: 'north' })).toEqual(['a-old']);
    expect(ids({ lastSeenOlderThanDays: 30 })).toEqual(['a-old']);
    expect(ids({ lastSeenOlderThanDays: 2.5 })).toEqual(['a-old', 'b-recent']);
    expect(ids({ search: 'LEG' })).toEqual(['c-legacy']);
    expect(ids({})).toEqual(['a-old', 'b-recent', 'c-legacy', 'd-never']);
    expect(describeStrandedFilter({ reason: 'offline', lastSeenOlderThanDays: 30 })).toBe(
      'stranded because offline not seen for over 30 days',
    );
  });

  it('names ten ids and counts the rest', () => {
    const ids = Array.from({ length: 2000 }, (_, i) => `sim-${i}`);
    expect(someIds(ids)).toBe(
      'sim-0, sim-1, sim-2, sim-3, sim-4, sim-5, sim-6, sim-7, sim-8, sim-9 … and 1990 more',
    );
    expect(someIds(['x', 'y'])).toBe('x, y');
  });

  it('cuts long lists in records to their first entries plus a count, at any depth', () => {
    const long = Array.from({ length: 250 }, (_, i) => i);
    expect(compactLists({ a: long, b: { c: long, d: [1] }, e: 'x', f: null })).toEqual({
      a: long.slice(0, 100),
      aCount: 250,
      b: { c: long.slice(0, 100), cCount: 250, d: [1] },
      e: 'x',
      f: null,
    });
  });
});
