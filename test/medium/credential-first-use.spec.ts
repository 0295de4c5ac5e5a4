// After a fleet enrolled, the first time each agent presents its credential (a download, a reconnect) is
// written once: it ends the enrollment's retry window (ADR 18). In a 50,000-agent push right after
// enrollment those writes were 26,112 single-row UPDATEs, 10 s of logged statement time
// (docs/benchmarks.md); they are now written in batches. Checked on a real PostgreSQL.
import { type DataSource } from 'typeorm';
import { AgentCredentials } from '../../apps/central/src/agents/agent-credentials.js';
import { AgentsRepository } from '../../apps/central/src/agents/agents.repository.js';
import { EventBus } from '../../apps/central/src/common/event-bus.js';
import { hashSecret } from '../../apps/central/src/crypto/secrets.js';
import { openMigrated } from '../support/rollout-seed.js';
import { createTestDatabase, type TestDatabase } from '../support/test-database.js';

const AGENTS = 600;

describe('first uses of agent credentials (real PostgreSQL)', () => {
  let db: TestDatabase;
  let ds: DataSource;
  const ids = Array.from({ length: AGENTS }, (_, i) => `first-use-${String(i).padStart(4, '0')}`);
  const secretOf = (id: string) => `sya_secret-of-${id}`;

  beforeAll(async () => {
    db = await createTestDatabase();
    ds = await openMigrated(db, 'first-use-node');
    await ds.query(`INSERT INTO agents (id, credential_hash) SELECT * FROM unnest($1::text[], $2::text[])`, [
      ids,
      ids.map((id) => hashSecret(secretOf(id))),
    ]);
  });
  afterAll(async () => {
    await ds?.destroy();
    await db?.drop();
  });

  it('are written together, once, and a wrong credential writes nothing', async () => {
    const repo = new AgentsRepository(ds);
    const batches: number[] = [];
    const write = repo.markCredentialsUsed.bind(repo);
    repo.markCredentialsUsed = async (batch: string[]) => {
      batches.push(batch.length);
      await write(batch);
    };
    const credentials = new AgentCredentials(repo, new EventBus());
    const wrong = 'first-use-0000';
    const results = await Promise.all([
      ...ids.slice(1).map((id) => credentials.verify(id, hashSecret(secretOf(id)))),
      credentials.verify(wrong, hashSecret('sya_not-its-secret')),
    ]);
    expect(results.filter(Boolean)).toHaveLength(AGENTS - 1);
    expect(results.at(-1)).toBe(false);
    expect(batches.reduce((n, b) => n + b, 0)).toBe(AGENTS - 1);
    expect(batches.length).toBeLessThanOrEqual(3); // one statement per batch, not one per agent

    const [row] = (await ds.query(
      `SELECT count(*) FILTER (WHERE credential_used_at IS NOT NULL)::int AS used,
              count(*) FILTER (WHERE id = $1 AND credential_used_at IS NULL)::int AS wrong_unused
         FROM agents`,
      [wrong],
    )) as Array<{ used: number; wrong_unused: number }>;
    expect(row).toEqual({ used: AGENTS - 1, wrong_unused: 1 });

    // Known used now: presenting it again writes nothing more.
    await Promise.all(ids.slice(1, 50).map((id) => credentials.verify(id, hashSecret(secretOf(id)))));
    expect(batches.reduce((n, b) => n + b, 0)).toBe(AGENTS - 1);
  });
});
