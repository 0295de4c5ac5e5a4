// A session that ends while its start is still queued must end up offline: starts are written one batch at a
// time and lag behind in a storm, ends would otherwise overtake them and match no row (real PostgreSQL).
import { randomUUID } from 'node:crypto';
import pg from 'pg';
import { SessionStatusWriter } from '../../apps/central/src/agents/session-status.writer.js';
import { type SessionFacts } from '../../apps/central/src/agents/agents.repository.js';
import { startTestCentral, type TestCentral } from '../support/in-process-central.js';
import { createTestDatabase, type TestDatabase } from '../support/test-database.js';

describe('session status: an end never overtakes its start', () => {
  let db: TestDatabase;
  let c: TestCentral;
  let sql: pg.Client;
  let locker: pg.Client;

  beforeAll(async () => {
    db = await createTestDatabase();
    c = await startTestCentral(db.url);
    sql = new pg.Client({ connectionString: db.url });
    locker = new pg.Client({ connectionString: db.url });
    await Promise.all([sql.connect(), locker.connect()]);
    await sql.query(
      `INSERT INTO agents (id, credential_hash, connection_status, transport, agent_version, capabilities)
       VALUES ('order-blocker', 'hash', 'offline', 'plain', '1.0.0', '[]'),
              ('order-leaver', 'hash', 'offline', 'plain', '1.0.0', '[]')`,
    );
  }, 60_000);

  afterAll(async () => {
    await locker?.end();
    await sql?.end();
    await c?.stop();
    await db?.drop();
  });

  it('records the end after the start even when the start batch is held up', async () => {
    const writer = c.central.app.get(SessionStatusWriter);
    const nodeId = ((await sql.query(`SELECT id FROM central_nodes LIMIT 1`)).rows[0] as { id: string }).id;
    const facts = (sessionId: string): SessionFacts => ({
      agentVersion: '1.0.0',
      capabilities: [],
      profileSha256: null,
      stagedProfileSha256: null,
      reportedGroups: null,
      transport: 'plain',
      via: null,
      nodeId,
      sessionId,
      remoteAddress: '127.0.0.1',
      listenerAddress: '127.0.0.1:8787',
    });

    // Hold the first start batch on a row lock, so the leaver's start waits in the next batch.
    await locker.query('BEGIN');
    await locker.query(`SELECT 1 FROM agents WHERE id = 'order-blocker' FOR UPDATE`);
    const blocker = writer.online('order-blocker', facts(randomUUID()));
    await new Promise((resolve) => setTimeout(resolve, 100)); // the blocker's batch is in flight
    const leaverSession = randomUUID();
    const leaverStart = writer.online('order-leaver', facts(leaverSession));
    // The leaver goes away before its start is written (a client that gave up waiting for its welcome).
    const leaverEnd = writer.ended('order-leaver', leaverSession, 'offline');
    await new Promise((resolve) => setTimeout(resolve, 300)); // an end that does not wait is written now
    await locker.query('COMMIT');
    await Promise.all([blocker, leaverStart, leaverEnd]);

    const rows = (
      await sql.query(`SELECT id, connection_status FROM agents WHERE id LIKE 'order-%' ORDER BY id`)
    ).rows as Array<{ id: string; connection_status: string }>;
    expect(rows).toEqual([
      { id: 'order-blocker', connection_status: 'online' },
      { id: 'order-leaver', connection_status: 'offline' },
    ]);
  }, 30_000);
});
