// Counting waves and walking for step timeouts read every open entry of the rollouts under way. At 50,000
// agents in cluster mode every worker's tick and every burst of answers did both, back to back (734 full
// scans of the rollout in one push, docs/benchmarks.md). Each part now waits ten times its last duration,
// cluster-wide, through one row (ADR 55). These tests hold the rule on a real PostgreSQL: a part whose
// time has not come is not done, it is done once it has, and a skipped wave move happens by itself.
import { type DataSource } from 'typeorm';
import { FleetAgentsRepository } from '../../apps/central/src/agents/fleet-agents.repository.js';
import { type ClusterBus } from '../../apps/central/src/cluster/cluster-bus.js';
import { EventBus } from '../../apps/central/src/common/event-bus.js';
import { type RolloutDispatcher } from '../../apps/central/src/rollouts/rollout-dispatcher.js';
import { RolloutDeliveriesRepository } from '../../apps/central/src/rollouts/rollout-deliveries.repository.js';
import { RolloutEntriesPresence } from '../../apps/central/src/rollouts/rollout-entries-presence.js';
import {
  dueParts,
  partDone,
  type EvaluationPart,
} from '../../apps/central/src/rollouts/rollout-evaluation-pace.repository.js';
import { RolloutTicker } from '../../apps/central/src/rollouts/rollout-ticker.js';
import { RolloutWaves } from '../../apps/central/src/rollouts/rollout-waves.js';
import { RolloutsRepository } from '../../apps/central/src/rollouts/rollouts.repository.js';
import { insertPublishRollout, openMigrated, seedProfileRevision } from '../support/rollout-seed.js';
import { createTestDatabase, type TestDatabase } from '../support/test-database.js';

const NODE = 'pace-node';
const AGENTS = ['pace-1', 'pace-2', 'pace-3'];

describe('rollout evaluations keep their pace (real PostgreSQL)', () => {
  let db: TestDatabase;
  let ds: DataSource;
  let waves: RolloutWaves;
  let presence: RolloutEntriesPresence;

  beforeAll(async () => {
    db = await createTestDatabase();
    ds = await openMigrated(db, NODE);
    await ds.query(
      `INSERT INTO agents (id, node_id, connection_status, session_id, transport)
       SELECT id, $2, 'online', gen_random_uuid(), 'plain' FROM unnest($1::text[]) id`,
      [AGENTS, NODE],
    );
    await seedProfileRevision(ds, 'pace');
    const rollouts = new RolloutsRepository(ds);
    const deliveries = new RolloutDeliveriesRepository(ds, new FleetAgentsRepository(ds));
    presence = new RolloutEntriesPresence(deliveries, new EventBus());
    waves = new RolloutWaves(rollouts, deliveries, presence);
  });

  afterAll(async () => {
    await ds?.destroy();
    await db?.drop();
  });

  /** A running publish whose agents all applied it: the next wave evaluation completes it. */
  async function appliedRollout(): Promise<string> {
    const id = await insertPublishRollout(ds, {
      profile: 'pace',
      agents: AGENTS.length,
      state: 'running',
      createdAt: new Date().toISOString(),
    });
    await ds.query(
      `INSERT INTO rollout_agents (rollout_id, agent_id, wave, state, activates)
       SELECT $1, id, 1, 'applied', true FROM unnest($2::text[]) id`,
      [id, AGENTS],
    );
    return id;
  }

  const stateOf = async (id: string) =>
    ((await ds.query('SELECT state FROM rollouts WHERE id = $1', [id])) as Array<{ state: string }>)[0]!
      .state;
  const nextAt = (part: EvaluationPart, when: string) =>
    ds.query(`UPDATE rollout_evaluation_pace SET ${part}_next_at = ${when}`);

  it('does not count waves before their time, and does once it has come', async () => {
    const id = await appliedRollout();
    await nextAt('waves', `clock_timestamp() + interval '1 hour'`);
    const early = await waves.evaluate({ timeouts: false });
    expect(early.changed).toEqual([]);
    expect(early.retryInMs).toBeGreaterThan(3_500_000); // told how long until it may run
    expect(await stateOf(id)).toBe('running');

    await nextAt('waves', `'epoch'`);
    const due = await waves.evaluate({ timeouts: false });
    expect(due).toEqual({ changed: [id], retryInMs: 0 });
    expect(await stateOf(id)).toBe('completed');
  });

  it('does not walk for step timeouts before their time, and does once it has come', async () => {
    await presence.refresh(); // entries exist: the walk is wanted
    const id = await insertPublishRollout(ds, {
      profile: 'pace',
      agents: 1,
      state: 'running',
      createdAt: new Date().toISOString(),
    });
    // Synchronizing for ten minutes on an online agent of a live node: past the 300 s step timeout.
    await ds.query(
      `INSERT INTO rollout_agents (rollout_id, agent_id, wave, state, activates, state_changed_at)
       VALUES ($1, 'pace-1', 1, 'synchronizing', true, now() - interval '10 minutes')`,
      [id],
    );
    const entryState = async () =>
      (
        (await ds.query(`SELECT state FROM rollout_agents WHERE rollout_id = $1`, [id])) as Array<{
          state: string;
        }>
      )[0]!.state;

    await nextAt('timeouts', `clock_timestamp() + interval '1 hour'`);
    await nextAt('waves', `'epoch'`);
    const early = await waves.evaluate({ timeouts: true });
    expect(early.retryInMs).toBeGreaterThan(3_500_000);
    expect(await entryState()).toBe('synchronizing');

    await nextAt('timeouts', `'epoch'`);
    const due = await waves.evaluate({ timeouts: true });
    expect(due.changed).toContain(id);
    expect(await entryState()).toBe('stale');
  });

  it('waits ten times what a part took, at most a second for waves and three for timeouts', async () => {
    await partDone(ds, 'waves', 40);
    await partDone(ds, 'timeouts', 5_000); // a slow walk on a loaded machine: capped
    const { due, waitMs } = await dueParts(ds, ['waves', 'timeouts']);
    expect(due.size).toBe(0);
    expect(waitMs).toBeGreaterThan(0);
    expect(waitMs).toBeLessThanOrEqual(400); // the sooner of the two: waves, 10 × 40 ms
    const [row] = (await ds.query(
      `SELECT (EXTRACT(EPOCH FROM timeouts_next_at) - EXTRACT(EPOCH FROM clock_timestamp())) * 1000 AS timeouts
         FROM rollout_evaluation_pace`,
    )) as Array<{ timeouts: string }>;
    expect(Number(row!.timeouts)).toBeGreaterThan(2_000);
    expect(Number(row!.timeouts)).toBeLessThanOrEqual(3_000);
  });

  it('moves a wave skipped for its pace as soon as the pace allows, with no answer or tick to prompt it', async () => {
    const id = await appliedRollout();
    await nextAt('waves', `clock_timestamp() + interval '300 milliseconds'`);
    const kicks: string[] = [];
    const ticker = new RolloutTicker(
      waves,
      { kick: () => kicks.push('kick'), stop: async () => undefined } as unknown as RolloutDispatcher,
      { publish: async () => undefined } as unknown as ClusterBus,
      new EventBus(),
      { tickMs: 60_000, maxInFlight: 10, maxBufferedBytes: 1 },
    );
    try {
      await ticker.tick({ timeouts: false }); // too early: skipped, and a retry scheduled
      expect(await stateOf(id)).toBe('running');
      const deadline = Date.now() + 10_000;
      while ((await stateOf(id)) !== 'completed' && Date.now() < deadline) {
        await new Promise((r) => setTimeout(r, 50));
      }
      expect(await stateOf(id)).toBe('completed');
      expect(kicks.length).toBeGreaterThanOrEqual(2); // the dispatcher looked for work after each pass
    } finally {
      await ticker.onModuleDestroy();
    }
  });
});
