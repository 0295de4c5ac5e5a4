// /metrics judged the secure_only gate (every agent, ~0.5 s at 10,000) at nearly every Prometheus scrape:
// its 15 s cache had expired again when the next scrape came 15 s later. The stranded count is now kept
// 30 s (STRANDED_MAX_AGE_MS): counted here as reads of the gate's facts, on a real central and database.
import { jest } from '@jest/globals';
import { STRANDED_MAX_AGE_MS } from '../../apps/central/src/metrics/fleet-operations.metrics.js';
import { MigrationGateQuery } from '../../apps/central/src/migration/migration-gate.query.js';
import { startTestCentral, type TestCentral } from '../support/in-process-central.js';
import { RawAgent } from '../support/raw-agent.js';
import { createTestDatabase, type TestDatabase } from '../support/test-database.js';

describe('the stranded agents gauge is kept between scrapes (real PostgreSQL)', () => {
  let db: TestDatabase;
  let c: TestCentral;
  const agents: RawAgent[] = [];

  beforeAll(async () => {
    db = await createTestDatabase();
    c = await startTestCentral(db.url);
  });
  afterAll(async () => {
    for (const agent of agents) agent.socket.terminate();
    await c?.stop();
    await db?.drop();
  });

  const stranded = async () => {
    const text = await (await fetch(new URL('/metrics', c.central.adminUrl))).text();
    const line = /^switchyard_migration_stranded_agents (\d+)$/m.exec(text);
    if (!line)
      throw new Error(`no switchyard_migration_stranded_agents in /metrics:\n${text.slice(0, 2000)}`);
    return Number(line[1]);
  };
  /** A scrape as if `ms` had passed since now (on the monotonic clock only). */
  const strandedAt = async (ms: number) => {
    const realNow = performance.now.bind(performance);
    const later = jest.spyOn(performance, 'now').mockImplementation(() => realNow() + ms);
    try {
      return await stranded();
    } finally {
      later.mockRestore();
    }
  };
  const connectPlain = async (agentId: string) => {
    const { token } = await c.api.ok<{ token: string }>('POST', '/api/agents/enrollment-tokens', {});
    const agent = await RawAgent.connect({
      url: `ws://127.0.0.1:${c.ports.plain}/agent`,
      agentId,
      secret: token,
    });
    await agent.welcome();
    agents.push(agent);
  };

  it('reads the gate facts once for scrapes in a row, and the right count again once it is too old', async () => {
    await connectPlain('cache-1');
    const facts = jest.spyOn(MigrationGateQuery.prototype, 'gateFacts');
    try {
      // An agent online over plain: secure_only would strand it.
      expect(await stranded()).toBe(1);
      expect(await stranded()).toBe(1);
      expect(facts).toHaveBeenCalledTimes(1);

      // A second one: still the kept count, and no new read.
      await connectPlain('cache-2');
      expect(await stranded()).toBe(1);
      expect(facts).toHaveBeenCalledTimes(1);

      // The next scrape of a 15 s interval (a little late) is still answered from the kept count; one past
      // the age it may have is read again and counts both (the cache's clock is performance.now).
      expect(await strandedAt(15_050)).toBe(1);
      expect(facts).toHaveBeenCalledTimes(1);
      expect(await strandedAt(STRANDED_MAX_AGE_MS + 1)).toBe(2);
      expect(facts).toHaveBeenCalledTimes(2);
    } finally {
      facts.mockRestore();
    }
  });
});
