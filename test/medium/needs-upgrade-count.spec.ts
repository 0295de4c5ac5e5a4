// "Upgrade them" shows how many agents need an upgrade and the first few: counted in the database (one
// COUNT, 20 ids leave it), no longer by reading every such agent into central to take `.length`. The count
// must still be the agents a `needsUpgrade` rollout would take, checked here over a few thousand.
import { jest } from '@jest/globals';
import { type DataSource } from 'typeorm';
import { PackageRolloutsService } from '../../apps/central/src/rollouts/package-rollouts.service.js';
import { PackageRolloutsRepository } from '../../apps/central/src/rollouts/package-rollouts.repository.js';
import { insertPublishRollout, openMigrated, seedProfileRevision } from '../support/rollout-seed.js';
import { createTestDatabase, type TestDatabase } from '../support/test-database.js';

const AGENTS = 3_000;
const NODE = 'needs-node';

describe('agents needing an upgrade, counted in the database (real PostgreSQL)', () => {
  let db: TestDatabase;
  let ds: DataSource;
  const ids = Array.from({ length: AGENTS }, (_, i) => `needs-${String(i).padStart(5, '0')}`);
  /** What each agent said at hello; i % 7 === 6 are revoked. */
  const version = (i: number) => (i % 5 === 0 ? null : '1.0.0');
  const capabilities = (i: number) => [[], ['wss'], [], ['profiles'], ['wss', 'profiles']][i % 5]!;
  const revoked = (i: number) => i % 7 === 6;
  /** Marked needs_upgrade by a running rollout (counted), or by a finished one (not counted). */
  const markedRunning = (i: number) => i % 5 === 1 && i % 3 === 0;
  const markedFinished = (i: number) => i % 5 === 4 && i % 3 === 0;

  beforeAll(async () => {
    db = await createTestDatabase();
    ds = await openMigrated(db, NODE);
    await ds.query(
      `INSERT INTO agents (id, agent_version, capabilities, revoked_at)
       SELECT id, v, c::jsonb, CASE WHEN r THEN now() END
         FROM unnest($1::text[], $2::text[], $3::text[], $4::boolean[]) AS a(id, v, c, r)`,
      [
        ids,
        ids.map((_, i) => version(i)),
        ids.map((_, i) => JSON.stringify(capabilities(i))),
        ids.map((_, i) => revoked(i)),
      ],
    );
    await seedProfileRevision(ds, 'needs');
    const entries = async (state: string, marked: (i: number) => boolean) => {
      const rollout = await insertPublishRollout(ds, {
        profile: 'needs',
        agents: AGENTS,
        state,
        createdAt: '2026-12-01T00:00:00Z',
      });
      await ds.query(
        `INSERT INTO rollout_agents (rollout_id, agent_id, wave, state, reason, activates)
         SELECT $1, id, 1, 'needs_upgrade', 'agent 1.0.0 lacks wss', true FROM unnest($2::text[]) id`,
        [rollout, ids.filter((_, i) => marked(i))],
      );
    };
    await entries('running', markedRunning);
    await entries('completed', markedFinished);
  });

  afterAll(async () => {
    await ds?.destroy();
    await db?.drop();
  });

  it(`counts the same agents a needsUpgrade rollout takes, among ${AGENTS}`, async () => {
    const expected = ids.filter(
      (_, i) =>
        !revoked(i) && ((version(i) !== null && !capabilities(i).includes('wss')) || markedRunning(i)),
    );
    expect(expected.length).toBeGreaterThan(1000);
    const repo = new PackageRolloutsRepository(ds);
    // What GET /api/agent-upgrades/needs-upgrade answers, without reading every such agent into central.
    const everyAgent = jest.spyOn(repo, 'agentsNeedingUpgrade');
    const service = new PackageRolloutsService(
      repo,
      null as never,
      null as never,
      null as never,
      null as never,
    );
    expect(await service.needsUpgrade()).toEqual({ count: expected.length, agentIds: expected.slice(0, 20) });
    expect(everyAgent).not.toHaveBeenCalled();
    everyAgent.mockRestore();
    // The list a rollout targets agrees.
    expect((await repo.agentsNeedingUpgrade()).map((a) => a.id)).toEqual(expected);
  });
});
