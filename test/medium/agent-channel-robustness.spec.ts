// Central's side of channel robustness (issue 14, point 10), real PostgreSQL and sockets: a frame an
// agent would refuse is never sent and its rollout entry fails with the reason; a client flooding frames
// is closed with 1008 and audited, while a normal agent is unaffected.
import { createHash, randomBytes } from 'node:crypto';
import pg from 'pg';
import { CloseCode, MAX_PROFILE_ARCHIVE_BYTES } from '../../libs/protocol/index.js';
import { startTestCentral, type TestCentral } from '../support/in-process-central.js';
import { waitFor } from '../support/ports.js';
import { RawAgent } from '../support/raw-agent.js';
import { createTestDatabase, type TestDatabase } from '../support/test-database.js';

interface AuditRow {
  actor: string;
  address: string | null;
  action: string;
  target: string | null;
  outcome: string;
  details: Record<string, unknown>;
}

describe('agent channel robustness: checked frames, frame rate limit (real PostgreSQL)', () => {
  let db: TestDatabase;
  let c: TestCentral;
  let sql: pg.Client;
  let token: string;
  const url = () => `ws://127.0.0.1:${c.ports.plain}/agent`;
  const agents: RawAgent[] = [];
  const connect = async (agentId: string) => {
    const agent = await RawAgent.connect({ url: url(), agentId, secret: token });
    agents.push(agent);
    return agent;
  };

  beforeAll(async () => {
    process.env.SWITCHYARD_ROLLOUT_TICK_MS = '200';
    db = await createTestDatabase();
    c = await startTestCentral(db.url, { heartbeatMs: 1000 });
    sql = new pg.Client({ connectionString: db.url });
    await sql.connect();
    token = (
      await c.api.ok<{ token: string }>('POST', '/api/agents/enrollment-tokens', { expiresInMinutes: 30 })
    ).token;
  });
  afterAll(async () => {
    delete process.env.SWITCHYARD_ROLLOUT_TICK_MS;
    for (const a of agents) a.socket.terminate();
    await sql?.end();
    await c?.stop();
    await db?.drop();
  });

  it('never sends a profile.sync an agent would refuse: the entry fails with the reason, the agent stays connected', async () => {
    const agent = await connect('oversized-1');
    // A revision whose recorded size is over what agents accept (as a bug or a changed limit would give).
    const archive = randomBytes(64);
    const sha256 = createHash('sha256').update(archive).digest('hex');
    await sql.query(
      `INSERT INTO profiles (name, draft_agent_conf, truststore_password_encrypted, created_by, updated_by)
       VALUES ('oversized', '', 'unused', 'test', 'test')`,
    );
    await sql.query(
      `INSERT INTO profile_revisions (profile_name, revision, sha256, size_bytes, archive, manifest, agent_conf,
         truststore, minimum_agent_version, required_capabilities, created_by)
       VALUES ('oversized', 1, $1, $2, $3, '{}', '', '[]', '0.1.0', '[]', 'test')`,
      [sha256, MAX_PROFILE_ARCHIVE_BYTES + 1, archive],
    );
    const rollout = await c.api.ok<{ id: string }>('POST', '/api/rollouts', {
      profile: 'oversized',
      revision: 1,
      targets: { agentIds: ['oversized-1'] },
      mode: 'synchronize',
    });
    const failed = await waitFor(
      'entry failed',
      async () => {
        const r = await c.api.ok<{ agents: Array<{ state: string; reason: string | null }> }>(
          'GET',
          `/api/rollouts/${rollout.id}`,
        );
        return r.agents[0]?.state === 'failed' ? r.agents[0] : undefined;
      },
      10_000,
      50,
    );
    expect(failed.reason).toMatch(/^profile\.sync would be refused by the agent: sizeBytes: /);
    expect(agent.frames.map((f) => f.type)).toEqual(['welcome']);
    expect(agent.socket.readyState).toBe(agent.socket.OPEN);
  });

  it('closes a client that floods frames with 1008 within a second, audits it, and leaves a normal agent alone', async () => {
    const normal = await connect('normal-1');
    const flooder = await connect('flooder-1');
    const frame = JSON.stringify({ type: 'command.result', id: 'c1', ok: true });
    const started = Date.now();
    let sent = 0;
    // Thousands of frames a second, until central closes the connection.
    while (flooder.socket.readyState === flooder.socket.OPEN && sent < 20_000) {
      for (let i = 0; i < 100; i++) flooder.socket.send(frame);
      sent += 100;
      await new Promise((r) => setImmediate(r));
    }
    const closed = await flooder.closed;
    const elapsed = Date.now() - started;
    expect(closed.code).toBe(CloseCode.POLICY_VIOLATION);
    expect(closed.reason).toMatch(/^frame rate limit: /);
    expect(elapsed).toBeLessThan(1000);

    const audit = await waitFor(
      'audit row',
      async () => {
        const rows = await c.api.ok<AuditRow[]>('GET', '/api/audit?search=flooder-1');
        return rows.find((r) => r.action === 'agent session closed');
      },
      5000,
    );
    expect(audit).toMatchObject({
      actor: 'agent:flooder-1',
      address: '127.0.0.1',
      target: 'flooder-1',
      outcome: 'refused',
      details: { closeCode: 1008, reason: expect.stringMatching(/^frame rate limit: /) },
    });

    // the normal agent keeps its session: heartbeats answered, a command result accepted
    normal.send(frame);
    await new Promise((r) => setTimeout(r, 1500));
    expect(normal.socket.readyState).toBe(normal.socket.OPEN);
    const row = await c.api.ok<{ status: string }>('GET', '/api/agents/normal-1');
    expect(row.status).toBe('online');
  });
});
