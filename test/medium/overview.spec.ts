// GET /api/overview (issue 16 point 5) against real PostgreSQL with 10,000 agents seeded by SQL: the fleet
// by status and transport, desired against reported revisions, the migration gate, the certificate, the
// running rollouts and the recent failures, in one answer that stays quick at fleet size (the time is
// printed). A real agent connecting and leaving moves the numbers.
import { createHash } from 'node:crypto';
import pg from 'pg';
import { startTestCentral, type TestCentral } from '../support/in-process-central.js';
import { waitFor } from '../support/ports.js';
import { RawAgent } from '../support/raw-agent.js';
import { createTestDatabase, type TestDatabase } from '../support/test-database.js';

interface Overview {
  agents: {
    total: number;
    revoked: number;
    byStatus: Record<string, number>;
    onlineByTransport: Record<string, number>;
    byLastTransport: Record<string, number>;
  };
  profiles: {
    revisions: Array<{
      profile: string;
      revision: number;
      desired: number;
      desiredAndRunning: number;
      running: number;
    }>;
    notOnDesired: number;
    runningNone: number;
    runningUnknown: number;
  };
  migration: { phase: string; next: string | null; stranded: number } | null;
  certificate: {
    daysLeft: number;
    lifetimeDays: number;
    warnFromDays: number;
    expiryWarning: string | null;
  } | null;
  rollouts: Array<{
    id: string;
    state: string;
    targetCount: number;
    done: number;
    states: Record<string, number>;
  }>;
  failures: {
    windowHours: number;
    profile: { count: number; latest: Array<{ agentId: string; reason: string | null }> };
    halted: Array<{ id: string; reason: string | null }>;
    handshake: { total: number; byReason: Record<string, number> };
  };
  unavailable: Record<string, string>;
}

const AGENTS = 10_000;

describe('GET /api/overview at 10,000 agents (real PostgreSQL)', () => {
  let db: TestDatabase;
  let c: TestCentral;
  let sql: pg.Client;
  const overview = () => c.api.ok<Overview>('GET', '/api/overview');
  const sha = (seed: string) => createHash('sha256').update(seed).digest('hex');
  let running: string;
  let halted: string;

  beforeAll(async () => {
    db = await createTestDatabase();
    c = await startTestCentral(db.url, { heartbeatMs: 1000 });
    sql = new pg.Client({ connectionString: db.url });
    await sql.connect();
    const { rows: nodes } = await sql.query<{ id: string }>('SELECT id FROM central_nodes');
    // n % 10: 0-1 online plain, 2 online secure, 3 online secure+mtls (3 via a connector every 100th),
    // 4-5 offline plain, 6 disconnected secure, 7-9 never connected.
    await sql.query(
      `INSERT INTO agents (id, connection_status, transport, via, node_id, connected_at, last_seen_at)
       SELECT 'ov-' || lpad(n::text, 5, '0'),
              (ARRAY['online','online','online','online','offline','offline','disconnected',
                     'never_connected','never_connected','never_connected'])[1 + n % 10],
              (ARRAY['plain','plain','secure','secure+mtls','plain','plain','secure',NULL,NULL,NULL])[1 + n % 10],
              CASE WHEN n % 100 = 3 THEN 'connector/edge' END,
              CASE WHEN n % 10 < 4 THEN $1 END,
              CASE WHEN n % 10 < 7 THEN now() - interval '1 hour' END,
              CASE WHEN n % 10 < 7 THEN now() - interval '1 minute' END
         FROM generate_series(0, $2 - 1) n`,
      [nodes[0]!.id, AGENTS],
    );
    await sql.query(
      `INSERT INTO agents (id, revoked_at) SELECT 'gone-' || n, now() FROM generate_series(1, 5) n`,
    );
    // Profile "ov": r2 is meant for the first 6,000 agents; 5,000 of them run it, 500 still r1, 500 nothing.
    // 1,000 more run r1 without being meant to run anything; one runs an archive no revision knows.
    await sql.query(
      `INSERT INTO profiles (name, draft_agent_conf, truststore_password_encrypted, created_by, updated_by)
       VALUES ('ov', '', 'unused', 'test', 'test')`,
    );
    for (const r of [1, 2])
      await sql.query(
        `INSERT INTO profile_revisions (profile_name, revision, sha256, size_bytes, archive, manifest, agent_conf,
           truststore, minimum_agent_version, required_capabilities, created_by)
         VALUES ('ov', $1, $2, 1, '\\x00', '{}', '', '[]', '0.1.0', '[]', 'test')`,
        [r, sha(`r${r}`)],
      );
    await sql.query(
      `INSERT INTO agent_desired_profiles (agent_id, profile_name, revision, sha256)
       SELECT 'ov-' || lpad(n::text, 5, '0'), 'ov', 2, $1 FROM generate_series(0, 5999) n`,
      [sha('r2')],
    );
    await sql.query(
      `UPDATE agents SET profile_sha256 = CASE
          WHEN id < 'ov-05000' THEN $1 WHEN id < 'ov-05500' THEN $2 WHEN id < 'ov-06000' THEN NULL
          WHEN id < 'ov-07000' THEN $2 WHEN id = 'ov-07000' THEN $3 END
        WHERE id LIKE 'ov-%'`,
      [sha('r2'), sha('r1'), 'f'.repeat(64)],
    );
    // A running rollout to 100 offline agents (60 applied, 30 pending, 10 failed: under its threshold),
    // and one the error threshold halted.
    const rollout = async (state: string, reason: string | null) => {
      const { rows } = await sql.query<{ id: string }>(
        `INSERT INTO rollouts (profile_name, revision, mode, targets, waves, wave_count, success_threshold_percent,
           error_threshold, state, state_reason, created_by)
         VALUES ('ov', 2, 'publish', '{"all":true}', '{"requested":{"percentages":[100]},"sizes":[100]}', 1, 100,
                 '{"percent":100}', $1, $2, 'test') RETURNING id`,
        [state, reason],
      );
      return rows[0]!.id;
    };
    running = await rollout('running', null);
    halted = await rollout('halted', '3 of 10 agents failed (error threshold: 3 agent(s))');
    await sql.query(
      `INSERT INTO rollout_agents (rollout_id, agent_id, wave, state, reason)
       SELECT $1, 'ov-' || lpad((n * 10 + 4)::text, 5, '0'), 1,
              CASE WHEN n < 60 THEN 'applied' WHEN n < 90 THEN 'pending' ELSE 'failed' END,
              CASE WHEN n >= 90 THEN 'certificate not trusted' END
         FROM generate_series(0, 99) n`,
      [running],
    );
    // An old failure, outside the 24-hour window.
    await sql.query(
      `INSERT INTO rollout_agents (rollout_id, agent_id, wave, state, reason, state_changed_at)
       VALUES ($1, 'ov-00005', 1, 'failed', 'disk full', now() - interval '3 days')`,
      [halted],
    );
  }, 120_000);

  afterAll(async () => {
    await sql?.end();
    await c?.stop();
    await db?.drop();
  });

  it('counts the fleet by status and transport, revoked agents apart', async () => {
    const o = await overview();
    expect(o.unavailable).toEqual({});
    expect(o.agents).toEqual({
      total: AGENTS,
      revoked: 5,
      byStatus: { online: 4000, disconnected: 1000, offline: 2000, never_connected: 3000 },
      onlineByTransport: {
        plain: 2000,
        secure: 1000,
        'secure+mtls': 900,
        'secure+mtls (via connector)': 100,
      },
      byLastTransport: { plain: 4000, secure: 2000, 'secure+mtls': 1000, none: 3000 },
    });
  });

  it('sets desired revisions against the ones agents report', async () => {
    const { profiles } = await overview();
    expect(profiles.revisions).toEqual([
      { profile: 'ov', revision: 2, desired: 6000, desiredAndRunning: 5000, running: 5000 },
      { profile: 'ov', revision: 1, desired: 0, desiredAndRunning: 0, running: 1500 },
    ]);
    expect(profiles).toMatchObject({ notOnDesired: 1000, runningUnknown: 1 });
    expect(profiles.runningNone).toBe(AGENTS - 5000 - 1500 - 1);
  });

  it('tells the migration phase and the gate as the migration API does, and the certificate by its lifetime', async () => {
    const [o, migration] = await Promise.all([
      overview(),
      c.api.ok<{ phase: string; stranded: unknown[] }>('GET', '/api/migration'),
    ]);
    expect(o.migration).toMatchObject({
      phase: migration.phase,
      next: 'dual',
      stranded: migration.stranded.length,
    });
    expect(o.migration!.stranded).toBeGreaterThan(0);
    const cert = o.certificate!;
    expect(cert.daysLeft).toBeGreaterThan(cert.warnFromDays);
    expect(cert.warnFromDays).toBe(Math.max(1, Math.min(30, Math.floor(cert.lifetimeDays / 3))));
    expect(cert.expiryWarning).toBeNull();
  });

  it('shows unfinished rollouts with progress over every target, recent failures and halts', async () => {
    const o = await overview();
    const r = o.rollouts.find((x) => x.id === running)!;
    expect(r).toMatchObject({ state: 'running', targetCount: 100, done: 60 });
    expect(r.states).toEqual({ applied: 60, pending: 30, failed: 10 });
    expect(o.rollouts.map((x) => x.id).sort()).toEqual([running, halted].sort());
    expect(o.failures.windowHours).toBe(24);
    expect(o.failures.profile.count).toBe(10);
    expect(o.failures.profile.latest).toHaveLength(5);
    expect(o.failures.profile.latest[0]!.reason).toBe('certificate not trusted');
    expect(o.failures.halted).toEqual([
      expect.objectContaining({ id: halted, reason: '3 of 10 agents failed (error threshold: 3 agent(s))' }),
    ]);
  });

  it('counts refused agent connections, and follows an agent that connects and leaves', async () => {
    const url = `ws://127.0.0.1:${c.ports.plain}/agent`;
    const before = await overview();
    const refused = new RawAgent({ url, agentId: 'ov-intruder', secret: 'syt_wrong' });
    await expect(refused.opened).rejects.toThrow('HTTP 401');
    const { token } = await c.api.ok<{ token: string }>('POST', '/api/agents/enrollment-tokens', {
      expiresInMinutes: 10,
    });
    const agent = await RawAgent.connect({ url, agentId: 'ov-live-1', secret: token });
    const during = await waitFor('the new agent counted online', async () => {
      const o = await overview();
      return o.agents.byStatus.online === 4001 ? o : undefined;
    });
    expect(during.agents.total).toBe(AGENTS + 1);
    expect(during.failures.handshake.byReason.unauthorized).toBe(
      (before.failures.handshake.byReason.unauthorized ?? 0) + 1,
    );
    agent.send({ type: 'goodbye', reason: 'test' });
    agent.socket.close();
    await waitFor('the agent counted offline', async () => {
      const o = await overview();
      return o.agents.byStatus.online === 4000 && o.agents.byStatus.offline === 2001 ? o : undefined;
    });
  });

  it('answers quickly at 10,000 agents: a constant number of grouped queries', async () => {
    const times: number[] = [];
    for (let i = 0; i < 5; i++) {
      const started = performance.now();
      await overview();
      times.push(performance.now() - started);
    }
    times.sort((a, b) => a - b);
    const median = times[2]!;
    console.log(
      `GET /api/overview at ${AGENTS} agents: median ${median.toFixed(0)} ms, max ${times[4]!.toFixed(0)} ms`,
    );
    // Generous for a loaded 2-core machine; quiet, it is well under this (docs/benchmarks.md).
    expect(median).toBeLessThan(2000);
  });
  it('previews a rollout to the whole fleet with random waves quickly (the rollout form)', async () => {
    const { agents } = await overview();
    const body = {
      profile: 'ov',
      revision: 2,
      targets: { all: true },
      waves: { percentages: [1, 9, 90] },
      mode: 'publish',
      waveOrder: 'random',
      waveSeed: 1,
    };
    const started = performance.now();
    const p = await c.api.ok<{ targetCount: number; waves: Array<{ size: number }> }>(
      'POST',
      '/api/rollouts/preview',
      body,
    );
    const ms = performance.now() - started;
    console.log(`POST /api/rollouts/preview of ${p.targetCount} agents in random waves: ${ms.toFixed(0)} ms`);
    expect(p.targetCount).toBe(agents.total);
    expect(p.waves.map((w) => w.size).reduce((a, b) => a + b, 0)).toBe(agents.total);
    expect(ms).toBeLessThan(5000);
  });
});
