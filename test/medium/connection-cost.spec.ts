import { jest } from '@jest/globals';
import { type LoggerService } from '@nestjs/common';
import { createHash, randomBytes } from 'node:crypto';
import pg from 'pg';
import { SESSION_LOG_LIMITS } from '../../apps/central/src/agents/session-log.js';
import { startTestCentral, type TestCentral } from '../support/in-process-central.js';
import { RawAgent } from '../support/raw-agent.js';
import { createTestDatabase, type TestDatabase } from '../support/test-database.js';

/**
 * What a connection costs central beyond the bare ws + TLS ceiling, guarded where it was cut (ADR 36):
 * no log line per connection at info level (a storm was 20,000 synchronous lines at 10,000 agents), and
 * no timer per session (one heartbeat wheel). Both fail on a regression at any speed of the machine.
 */
const AGENTS = 60;

describe('connection cost: no log line and no timer per connection (ADR 36)', () => {
  let db: TestDatabase;
  let c: TestCentral;
  const lines: string[] = [];
  const logger: LoggerService = {
    log: (message: unknown) => lines.push(String(message)),
    warn: () => undefined,
    error: () => undefined,
  };
  const agents: RawAgent[] = [];

  beforeAll(async () => {
    db = await createTestDatabase();
    c = await startTestCentral(db.url, { logger, heartbeatMs: 1000 });
  });
  afterAll(async () => {
    for (const agent of agents) agent.socket.terminate();
    await c?.stop();
    await db?.drop();
  });

  it(`connects ${AGENTS} agents with at most ${SESSION_LOG_LIMITS.linesPerWindow} session lines and no interval per session`, async () => {
    const ids = Array.from({ length: AGENTS }, (_, i) => `cost-agent-${i}`);
    const secrets = ids.map(() => `sya_${randomBytes(24).toString('base64url')}`);
    const client = new pg.Client({ connectionString: db.url });
    await client.connect();
    try {
      await client.query(
        `INSERT INTO agents (id, credential_hash, credential_used_at)
         SELECT id, hash, now() FROM unnest($1::text[], $2::text[]) AS s(id, hash)`,
        [ids, secrets.map((s) => createHash('sha256').update(s).digest('hex'))],
      );
    } finally {
      await client.end();
    }
    const url = `ws://127.0.0.1:${c.ports.plain}/agent`;
    const intervals = jest.spyOn(globalThis, 'setInterval');
    try {
      agents.push(
        ...(await Promise.all(
          ids.map((agentId, i) => RawAgent.connect({ url, agentId, secret: secrets[i] })),
        )),
      );
      // Heartbeats run: every session is pinged within an interval or two, all by the one wheel.
      await new Promise((resolve) => setTimeout(resolve, 2500));
      expect(intervals.mock.calls.length).toBeLessThan(5);
    } finally {
      intervals.mockRestore();
    }
    for (const agent of agents) expect(agent.socket.readyState).toBe(agent.socket.OPEN);
    const sessionLines = lines.filter((l) => / online via /.test(l));
    expect(sessionLines.length).toBeGreaterThan(0); // a few agents are still followed by name
    expect(sessionLines.length).toBeLessThanOrEqual(SESSION_LOG_LIMITS.linesPerWindow);
    const listed = await c.api.ok<Array<{ id: string; status: string }>>('GET', '/api/agents?limit=1000');
    expect(listed.filter((a) => a.id.startsWith('cost-agent-') && a.status === 'online')).toHaveLength(
      AGENTS,
    );
  });
});
