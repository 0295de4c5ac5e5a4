// The dispatcher reads its node's due work in chunks, in agent id order: a chunk that runs out is followed
// by the next one after it, and the reads start from the first agent again once one reaches the end
// (rollout-dispatcher.ts, DUE_WORK in rollout-work.query.ts). Before, every read walked every due entry of
// every node, sorted and cut at the limit: its cost grew with what was left to do, not with what it
// returned (~0.45 s a read at 50,000 agents on three workers, docs/benchmarks.md). These tests hold the
// cycle on a real PostgreSQL with three nodes' agents interleaved, through the dispatcher itself, and the
// plan: a read after the cursor examines no entry before it, and stops at the limit.
import { jest } from '@jest/globals';
import { type DataSource } from 'typeorm';
import { type AgentSessions } from '../../apps/central/src/agents/agent-sessions.js';
import { type FleetAgentsRepository } from '../../apps/central/src/agents/fleet-agents.repository.js';
import { type NodeIdentity } from '../../apps/central/src/cluster/node-identity.js';
import { DeliveryMemory } from '../../apps/central/src/rollouts/delivery-memory.js';
import { RolloutDeliveriesRepository } from '../../apps/central/src/rollouts/rollout-deliveries.repository.js';
import { RolloutDispatcher } from '../../apps/central/src/rollouts/rollout-dispatcher.js';
import { type RolloutEntriesPresence } from '../../apps/central/src/rollouts/rollout-entries-presence.js';
import { ROLLOUT_WORK_STATEMENTS } from '../../apps/central/src/rollouts/rollout-work.query.js';
import { analyzedPlan, rowsExamined } from '../support/pg-stats.js';
import { insertPublishRollout, openMigrated, seedProfileRevision } from '../support/rollout-seed.js';
import { createTestDatabase, type TestDatabase } from '../support/test-database.js';

const NODES = ['cursor-a', 'cursor-b', 'cursor-c'];
const NODE = NODES[0]!;
const AGENTS = 3_000;
/** The dispatcher reads four times maxInFlight agents at a time (READ_AHEAD). */
const MAX_IN_FLIGHT = 25;
const LIMIT = MAX_IN_FLIGHT * 4;

/** What one read of due work asked for and returned. */
interface Read {
  after?: string;
  ids: string[];
}

describe('due work is read in chunks from a cursor, once per cycle (real PostgreSQL)', () => {
  let db: TestDatabase;
  let ds: DataSource;
  let dispatcher: RolloutDispatcher;
  const reads: Read[] = [];
  // Agent n is held by node n % 3; a third of each node's agents were already sent their sync.
  const agentIds = Array.from({ length: AGENTS }, (_, i) => `cur-${String(i).padStart(5, '0')}`);
  const sent = (n: number) => Math.floor(n / 3) % 3 === 0;
  const dueOnNode = agentIds.filter((_, n) => n % 3 === 0 && !sent(n));

  /**
   * One kick of the dispatcher, to its end (its sessions are closed: it reads, and sends nothing): one
   * read, or two when it starts a cycle (a slot-full from the first agent, then the read ahead).
   */
  async function pass(): Promise<Read[]> {
    const before = reads.length;
    dispatcher.kick();
    await (dispatcher as unknown as { passes: { running?: Promise<void> } }).passes.running;
    const made = reads.slice(before);
    expect(made.length).toBe(made[0]?.after === undefined ? 2 : 1);
    return made;
  }

  /** Passes until a read comes back short (the end was reached): one cycle from where it stands. */
  async function restOfCycle(): Promise<Read[]> {
    const cycle: Read[] = [];
    for (let i = 0; i < AGENTS / LIMIT + 2; i++) {
      cycle.push(...(await pass()));
      if (cycle.at(-1)!.ids.length < LIMIT) return cycle;
    }
    throw new Error('no read reached the end');
  }

  beforeAll(async () => {
    db = await createTestDatabase();
    ds = await openMigrated(db, NODE);
    await ds.query(`INSERT INTO central_nodes (id, name) SELECT n, n FROM unnest($1::text[]) n`, [
      NODES.slice(1),
    ]);
    await ds.query(
      `INSERT INTO agents (id, connection_status, node_id, session_id, transport)
       SELECT id, 'online', ($2::text[])[1 + (n - 1) % 3], gen_random_uuid(), 'plain'
         FROM unnest($1::text[]) WITH ORDINALITY AS a(id, n)`,
      [agentIds, NODES],
    );
    await seedProfileRevision(ds, 'cursor');
    const rollout = await insertPublishRollout(ds, {
      profile: 'cursor',
      agents: AGENTS,
      state: 'running',
      createdAt: '2026-12-01T00:00:00Z',
    });
    await ds.query(
      `INSERT INTO rollout_agents (rollout_id, agent_id, wave, state, activates, sent_step, sent_session, sent_at)
       SELECT $1, a.id, 1, 'pending', true,
              CASE WHEN s.sent THEN 'sync' END, CASE WHEN s.sent THEN a.session_id END,
              CASE WHEN s.sent THEN now() END
         FROM agents a JOIN unnest($2::text[], $3::boolean[]) AS s(id, sent) ON s.id = a.id`,
      [rollout, agentIds, agentIds.map((_, n) => sent(n))],
    );
    await ds.query('ANALYZE');

    const repository = new RolloutDeliveriesRepository(ds, {} as FleetAgentsRepository);
    const workOnNode = repository.workOnNode.bind(repository);
    jest.spyOn(repository, 'workOnNode').mockImplementation(async (nodeId, limit, range = {}) => {
      const work = await workOnNode(nodeId, limit, range);
      if (!range.agentIds) reads.push({ after: range.after, ids: work.map((w) => w.agentId) });
      return work;
    });
    dispatcher = new RolloutDispatcher(
      repository,
      { session: () => undefined, holds: () => false } as unknown as AgentSessions,
      { id: NODE } as NodeIdentity,
      new DeliveryMemory({ maxInFlight: MAX_IN_FLIGHT }),
      // Ticks of a minute: no read is made for age while the test runs.
      { tickMs: 60_000, maxInFlight: MAX_IN_FLIGHT, maxBufferedBytes: 1 << 20 },
      { mayExist: () => true } as unknown as RolloutEntriesPresence,
    );
  });

  afterAll(async () => {
    await dispatcher?.stop();
    await ds?.destroy();
    await db?.drop();
  });

  it('reads every due agent of its node exactly once per cycle, each read after the last, then wraps around', async () => {
    expect(dueOnNode.length).toBeGreaterThan(5 * LIMIT);
    const cycle = await restOfCycle();
    expect(cycle[0]!.after).toBeUndefined();
    for (let i = 1; i < cycle.length; i++) expect(cycle[i]!.after).toBe(cycle[i - 1]!.ids.at(-1));
    // Nothing under way: the first read is one slot-full (the first frames wait for it), then full reads.
    expect(cycle[0]!.ids.length).toBe(MAX_IN_FLIGHT);
    expect(cycle.slice(1, -1).every((r) => r.ids.length === LIMIT)).toBe(true);
    // In agent id order across the reads, so each agent once, and all of them.
    expect(cycle.flatMap((r) => r.ids)).toEqual(dueOnNode);

    // The end was reached: the next read starts from the first agent again, and so does the cycle.
    const next = await restOfCycle();
    expect(next[0]!.after).toBeUndefined();
    expect(next.map((r) => r.ids)).toEqual(cycle.map((r) => r.ids));
  });

  it('plans a read after the cursor to examine only the entries from the cursor to the last agent it returns', async () => {
    const cursor = dueOnNode[2 * LIMIT - 1]!;
    const last = dueOnNode[3 * LIMIT - 1]!;
    const [{ before, between }] = (await ds.query(
      `SELECT count(*) FILTER (WHERE agent_id <= $1)::int AS before,
              count(*) FILTER (WHERE agent_id > $1 AND agent_id <= $2)::int AS between
         FROM rollout_agents`,
      [cursor, last],
    )) as Array<{ before: number; between: number }>;
    const plan = await analyzedPlan(ds, ROLLOUT_WORK_STATEMENTS.dueWork, [NODE, LIMIT, null, cursor]);
    const examined = rowsExamined(plan, 'rollout_agents');
    // The entries of all three nodes' agents between the cursor and the 100th due agent after it (the
    // walk may look one entry further before it stops), and none of the entries before the cursor.
    expect({ examined, within: examined >= LIMIT && examined <= between + 2 }).toEqual({
      examined,
      within: true,
    });
    expect(between).toBeLessThan(before);
    expect(plan['Actual Rows']).toBe(LIMIT);
  });

  it('finds an agent made due behind the cursor in the next cycle', async () => {
    // Mid-cycle: the first reads of it (from the first agent, then ahead), and the next (after the cursor).
    const [first, ahead] = await pass();
    expect(first!.after).toBeUndefined();
    const [second] = await pass();
    expect(second!.after).toBe(ahead!.ids.at(-1));
    // An agent of this node among the first read's, already sent its sync: its session ends and it
    // comes back on another, so its entry is due again behind the cursor.
    const behind = agentIds.find((id, n) => n % 3 === 0 && sent(n) && id < first!.ids.at(-1)!)!;
    await ds.query(`UPDATE agents SET session_id = gen_random_uuid() WHERE id = $1`, [behind]);

    const rest = await restOfCycle();
    expect(rest.flatMap((r) => r.ids)).not.toContain(behind);
    const next = await restOfCycle();
    expect(next[0]!.after).toBeUndefined();
    expect(next.flatMap((r) => r.ids)).toEqual([...dueOnNode, behind].sort());
  });

  it('rereads from the first agent when a rollout changed', async () => {
    const [first, ahead] = await pass();
    expect(first!.after).toBeUndefined();
    expect((await pass())[0]!.after).toBe(ahead!.ids.at(-1));
    // Reads asked for by a change are at least 100 ms apart (MIN_REREAD_MS).
    await new Promise((resolve) => setTimeout(resolve, 150));
    const before = reads.length;
    dispatcher.kick({ changed: true });
    await (dispatcher as unknown as { passes: { running?: Promise<void> } }).passes.running;
    expect(reads.slice(before)).toEqual([first, ahead]);
  });
});
