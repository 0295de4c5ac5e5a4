// Rollouts against real PostgreSQL and real sockets: scripted agents (RawAgent) answer profile.sync and
// profile.activate with profile.status frames the way an agent does, so waves, thresholds, gating,
// timeouts, re-checks at hello, a central restart and a second central node are all observed end to end.
import { createHash, randomBytes } from 'node:crypto';
import pg from 'pg';
import { ListenerManager } from '../../apps/central/src/listeners/listener-manager.js';
import { DeliveryMemory } from '../../apps/central/src/rollouts/delivery-memory.js';
import { RolloutStatusRecorder } from '../../apps/central/src/rollouts/rollout-status.recorder.js';
import { DEFAULT_WEBSOCKET_SETTINGS } from '../../apps/central/src/settings/websocket-settings.js';
import { startTestCentral, type TestCentral } from '../support/in-process-central.js';
import { waitFor } from '../support/ports.js';
import { RawAgent } from '../support/raw-agent.js';
import { createTestDatabase, type TestDatabase } from '../support/test-database.js';

// 'killed-applying': acknowledges profile.activate, then its process dies before the swap commits.
type Behaviour = 'ok' | 'fail-activate' | 'silent' | 'ack-only' | 'killed-applying';

interface RolloutAgent {
  agentId: string;
  wave: number;
  state: string;
  reason: string | null;
  attempts: number;
  connection: string;
}
interface Rollout {
  id: string;
  state: string;
  stateReason: string | null;
  currentWave: number;
  waveCount: number;
  waves: { sizes: number[] };
  waveProgress: Array<{ wave: number; size: number; eligible: number; done: number }>;
  agents: RolloutAgent[];
}

/** What happened, in order, across all scripted agents. */
const events: Array<{ agentId: string; what: string }> = [];

/**
 * An agent that keeps its own truth (active and staged sha256) and answers as told. Reconnecting says
 * hello with what it really has, as the real agent does.
 */
class ScriptedAgent {
  raw!: RawAgent;
  active: string | null = null;
  staged: string | null = null;
  received: Array<Record<string, unknown>> = [];
  /** Extra hello fields (e.g. `candidate`, which agents older than it leave out). */
  helloExtra: Record<string, unknown> = {};

  constructor(
    readonly id: string,
    public behaviour: Behaviour = 'ok',
    readonly facts: { version: string; capabilities: string[] } = { version: '1.0.0', capabilities: ['wss'] },
  ) {}

  async connect(url: string, secret: string): Promise<Record<string, unknown>> {
    this.raw = new RawAgent({ url, agentId: this.id, secret });
    this.raw.socket.on('message', (data) =>
      this.answer(JSON.parse(data.toString()) as Record<string, unknown>),
    );
    await this.raw.opened;
    this.raw.hello('plain', {
      agentVersion: this.facts.version,
      capabilities: this.facts.capabilities,
      profileSha256: this.active,
      stagedProfileSha256: this.staged,
      ...this.helloExtra,
    });
    return this.raw.welcome();
  }

  async disconnect(): Promise<void> {
    if (this.raw.socket.readyState === this.raw.socket.CLOSED) return;
    this.raw.socket.close();
    await this.raw.closed;
  }

  private status(frame: Record<string, unknown>, state: string, reason?: string): void {
    this.raw.send({
      type: 'profile.status',
      deliveryId: frame.deliveryId,
      sha256: frame.sha256,
      state,
      reason,
    });
  }

  private answer(frame: Record<string, unknown>): void {
    if (frame.type !== 'profile.sync' && frame.type !== 'profile.activate') return;
    this.received.push(frame);
    events.push({ agentId: this.id, what: frame.type as string });
    if (this.behaviour === 'silent') return;
    const sha = frame.sha256 as string;
    if (frame.type === 'profile.sync') {
      this.status(frame, 'synchronizing');
      if (this.behaviour === 'ack-only') return;
      this.staged = sha;
      this.status(frame, 'synchronized');
      events.push({ agentId: this.id, what: 'synchronized' });
      return;
    }
    this.status(frame, 'applying');
    if (this.behaviour === 'ack-only') return;
    if (this.behaviour === 'killed-applying') return void this.raw.socket.terminate();
    if (this.behaviour === 'fail-activate')
      return this.status(frame, 'failed', 'certificate not trusted: self signed certificate in chain');
    this.active = sha;
    this.staged = null;
    this.status(frame, 'applied');
    events.push({ agentId: this.id, what: 'applied' });
  }
}

describe('rollouts: waves, thresholds, gating, truthful per-agent state (real PostgreSQL, real sockets)', () => {
  let db: TestDatabase;
  let c: TestCentral;
  let sql: pg.Client;
  let token: string;
  const credentials = new Map<string, string>();
  // Nodes of one installation share the master key (the profile-signing key is sealed under it).
  const env = { SWITCHYARD_MASTER_KEY: randomBytes(32).toString('hex') };
  const url = () => `ws://127.0.0.1:${c.ports.plain}/agent`;

  const rollout = (id: string) => c.api.ok<Rollout>('GET', `/api/rollouts/${id}`);
  const entry = async (id: string, agentId: string) =>
    (await rollout(id)).agents.find((a) => a.agentId === agentId)!;
  const until = (id: string, what: string, ok: (r: Rollout) => boolean, ms = 15_000) =>
    waitFor(what, async () => {
      const r = await rollout(id);
      return ok(r) ? r : undefined;
    }, ms, 50); // prettier-ignore

  /** Agents enroll once with the token, then use their own credential (as real agents do). */
  async function online(agents: ScriptedAgent[]): Promise<void> {
    await Promise.all(
      agents.map(async (a) => {
        const welcome = await a.connect(url(), credentials.get(a.id) ?? token);
        if (typeof welcome.credential === 'string') credentials.set(a.id, welcome.credential);
      }),
    );
  }
  const fleet = (prefix: string, n: number, behaviour: Behaviour = 'ok') =>
    Array.from({ length: n }, (_, i) => new ScriptedAgent(`${prefix}-${i + 1}`, behaviour));

  let revisions = 0;
  /** A profile revision inserted as the profiles domain would store it (the archive bytes are not read here). */
  async function revision(opts: { minimumAgentVersion?: string; requiredCapabilities?: string[] } = {}) {
    const archive = randomBytes(64);
    const sha256 = createHash('sha256').update(archive).digest('hex');
    const n = ++revisions;
    await sql.query(
      `INSERT INTO profile_revisions (profile_name, revision, sha256, size_bytes, archive, manifest, agent_conf,
         truststore, minimum_agent_version, required_capabilities, created_by)
       VALUES ('rollout-test', $1, $2, $3, $4, '{}', '', '[]', $5, $6, 'test')`,
      [n, sha256, archive.length, archive, opts.minimumAgentVersion ?? '0.1.0', JSON.stringify(opts.requiredCapabilities ?? [])],
    ); // prettier-ignore
    return { revision: n, sha256 };
  }

  const create = (body: Record<string, unknown>) => c.api.ok<Rollout>('POST', '/api/rollouts', body);
  /** A rollout of this revision to exactly these agents. */
  const createFor = (agents: ScriptedAgent[], rev: { revision: number }, body: Record<string, unknown>) =>
    create({
      profile: 'rollout-test',
      revision: rev.revision,
      targets: { agentIds: agents.map((a) => a.id) },
      ...body,
    });

  beforeAll(async () => {
    process.env.SWITCHYARD_ROLLOUT_TICK_MS = '200';
    db = await createTestDatabase();
    c = await startTestCentral(db.url, { heartbeatMs: 1000, env });
    sql = new pg.Client({ connectionString: db.url });
    await sql.connect();
    await sql.query(
      `INSERT INTO profiles (name, draft_agent_conf, truststore_password_encrypted, created_by, updated_by)
       VALUES ('rollout-test', '', 'unused', 'test', 'test')`,
    );
    token = (
      await c.api.ok<{ token: string }>('POST', '/api/agents/enrollment-tokens', { expiresInMinutes: 30 })
    ).token;
  });
  afterAll(async () => {
    delete process.env.SWITCHYARD_ROLLOUT_TICK_MS;
    await sql?.end();
    await c?.stop();
    await db?.drop();
  });

  it('validates the request: 400 naming fields, 404 for an unknown revision, 400 for an empty target set', async () => {
    const bad = await c.api.call<{ issues: Array<{ field: string }> }>('POST', '/api/rollouts', {
      profile: 'rollout-test',
      revision: 0,
      targets: { everyone: true },
      waves: { percentages: [50, 30] },
      mode: 'deploy',
    });
    expect(bad.status).toBe(400);
    expect(bad.body.issues.map((i) => i.field).sort()).toEqual([
      'mode',
      'revision',
      'targets',
      'waves.percentages',
    ]);
    const missing = await c.api.call('POST', '/api/rollouts', {
      profile: 'rollout-test',
      revision: 99,
      targets: { all: true },
      mode: 'publish',
    });
    expect(missing.status).toBe(404);
    const { revision: r } = await revision();
    const empty = await c.api.call<{ issues: Array<{ field: string }> }>('POST', '/api/rollouts', {
      profile: 'rollout-test',
      revision: r,
      targets: { groups: ['nobody-here'] },
      mode: 'publish',
    });
    expect(empty.status).toBe(400);
    expect(empty.body.issues[0].field).toBe('targets');
  });

  it("lists a big rollout's agents a page at a time, by state, and refuses a bad page naming the field", async () => {
    // 250 enrolled agents that never connect: their entries stay pending unless moved here.
    await sql.query(
      `INSERT INTO agents (id) SELECT 'page-' || lpad(i::text, 3, '0') FROM generate_series(1, 250) i`,
    );
    const ids = Array.from({ length: 250 }, (_, i) => `page-${String(i + 1).padStart(3, '0')}`);
    const rev = await revision();
    const created = await c.api.ok<Rollout & { agentsTotal: number; targetCount: number }>(
      'POST',
      '/api/rollouts',
      {
        profile: 'rollout-test',
        revision: rev.revision,
        targets: { agentIds: ids },
        waves: { sizes: [50, 200] },
        errorThreshold: { percent: 100 },
        mode: 'synchronize',
      },
    );
    // The answer to the create carries the first page, and says how many there are.
    expect(created.agents.map((a) => a.agentId)).toEqual(ids.slice(0, 100));
    expect(created).toMatchObject({ agentsTotal: 250, targetCount: 250 });
    // The listed ids come back cut to the first 100, with their count, here and in the list of rollouts.
    const shownTargets = { agentIds: ids.slice(0, 100), agentIdCount: 250 };
    expect((created as unknown as { targets: unknown }).targets).toEqual(shownTargets);
    const listed = await c.api.ok<Array<{ id: string; targets: unknown }>>('GET', '/api/rollouts');
    expect(listed.find((r) => r.id === created.id)!.targets).toEqual(shownTargets);
    await sql.query(
      `UPDATE rollout_agents SET state = 'failed', reason = 'disk full'
        WHERE rollout_id = $1 AND agent_id = ANY($2)`,
      [created.id, ['page-007', 'page-120', 'page-249']],
    );
    type Page = Rollout & { agentsTotal: number; targetCount: number };
    const page = (q: string) => c.api.ok<Page>('GET', `/api/rollouts/${created.id}?${q}`);

    const last = await page('limit=100&offset=200');
    expect(last.agents.map((a) => a.agentId)).toEqual(ids.slice(200));
    expect(last.agentsTotal).toBe(250);
    expect(last.waveProgress.map((w) => w.size)).toEqual([50, 200]); // the summary comes with every page
    expect((await page('offset=250')).agents).toEqual([]);

    const failed = await page('state=failed');
    expect(failed.agents.map((a) => [a.agentId, a.state, a.reason])).toEqual([
      ['page-007', 'failed', 'disk full'],
      ['page-120', 'failed', 'disk full'],
      ['page-249', 'failed', 'disk full'],
    ]);
    expect(failed).toMatchObject({ agentsTotal: 3, targetCount: 250 });
    const some = await page('state=failed,pending&limit=2&offset=5');
    expect(some.agents.map((a) => a.agentId)).toEqual(['page-006', 'page-007']);
    expect(some.agentsTotal).toBe(250);
    expect((await page('state=applied')).agentsTotal).toBe(0);

    for (const [q, field] of [
      ['limit=0', 'limit'],
      ['limit=10001', 'limit'],
      ['offset=-1', 'offset'],
      ['limit=ten', 'limit'],
      ['state=failed,broken', 'state.1'],
      ['sort=wave', 'body'],
    ]) {
      const bad = await c.api.call<{ issues: Array<{ field: string; message: string }> }>(
        'GET',
        `/api/rollouts/${created.id}?${q}`,
      );
      expect([q, bad.status, bad.body.issues?.[0]?.field]).toEqual([q, 400, field]);
    }
    await c.api.ok('POST', `/api/rollouts/${created.id}/cancel`);
  });

  it('publishes in 3 waves by sizes to a group: each wave starts only after the previous one applied', async () => {
    const agents = fleet('sizes', 6);
    await online(agents);
    for (const a of agents) await c.api.ok('PUT', `/api/agents/${a.id}/groups`, { groups: ['branch-east'] });
    const rev = await revision();
    const created = await create({
      profile: 'rollout-test',
      revision: rev.revision,
      targets: { groups: ['branch-east'] },
      waves: { sizes: [2, 2, 2] },
      mode: 'publish',
    });
    expect(created.waves.sizes).toEqual([2, 2, 2]);
    expect(created.agents.map((a) => a.wave)).toEqual([1, 1, 2, 2, 3, 3]);
    const done = await until(created.id, 'completed', (r) => r.state === 'completed');
    expect(done.agents.every((a) => a.state === 'applied')).toBe(true);
    expect(done.waveProgress.map((w) => w.done)).toEqual([2, 2, 2]);
    // Wave n+1 received its first frame only after every agent of wave n said applied.
    const mine = events.filter((e) => e.agentId.startsWith('sizes-'));
    const waveOf = (id: string) => done.agents.find((a) => a.agentId === id)!.wave;
    for (const wave of [2, 3]) {
      const firstSync = mine.findIndex((e) => waveOf(e.agentId) === wave && e.what === 'profile.sync');
      const lastApplied = mine.findLastIndex((e) => waveOf(e.agentId) === wave - 1 && e.what === 'applied');
      expect(firstSync).toBeGreaterThan(lastApplied);
    }
    for (const a of agents) {
      expect(a.active).toBe(rev.sha256);
      expect((await c.api.ok<{ profileSha256: string }>('GET', `/api/agents/${a.id}`)).profileSha256).toBe(
        rev.sha256,
      );
    }
    const desired = await sql.query(
      'SELECT count(*)::int AS n FROM agent_desired_profiles WHERE sha256 = $1',
      [rev.sha256],
    );
    expect(desired.rows[0].n).toBe(6);
  });

  it('synchronizes in waves by percentages and never activates', async () => {
    const agents = fleet('pct', 10);
    await online(agents);
    const rev = await revision();
    const created = await create({
      profile: 'rollout-test',
      revision: rev.revision,
      targets: { agentIds: agents.map((a) => a.id) },
      waves: { percentages: [10, 30, 60] },
      mode: 'synchronize',
    });
    expect(created.waves.sizes).toEqual([1, 3, 6]);
    const done = await until(created.id, 'completed', (r) => r.state === 'completed');
    expect(done.agents.every((a) => a.state === 'synchronized')).toBe(true);
    expect(agents.every((a) => a.staged === rev.sha256 && a.active === null)).toBe(true);
    expect(agents.flatMap((a) => a.received).some((f) => f.type === 'profile.activate')).toBe(false);
  });

  it('moves on at the success threshold, times a silent agent out to stale, and re-sends at its next hello', async () => {
    const agents = fleet('stale', 4);
    agents[0].behaviour = 'silent';
    await online(agents);
    const rev = await revision();
    const created = await create({
      profile: 'rollout-test',
      revision: rev.revision,
      targets: { agentIds: agents.map((a) => a.id) },
      waves: { sizes: [2, 2] },
      successThresholdPercent: 50,
      stepTimeoutSeconds: 1,
      mode: 'publish',
    });
    // One of two applied is 50 %: wave 2 goes ahead without the silent agent, and the rollout completes.
    const done = await until(
      created.id,
      'completed with a stale agent',
      (r) => r.state === 'completed' && r.agents.find((a) => a.agentId === 'stale-1')?.state === 'stale',
    );
    const stale = done.agents.find((a) => a.agentId === 'stale-1')!;
    expect(stale.reason).toMatch(/no answer to profile\.sync within 1 s/);
    expect(stale.connection).toBe('online');
    expect(done.agents.filter((a) => a.state === 'applied')).toHaveLength(3);
    // It comes back (a new hello) and answers this time: the same delivery is made again and completes.
    await agents[0].disconnect();
    agents[0].behaviour = 'ok';
    await online([agents[0]]);
    await waitFor(
      'stale agent applied after its next hello',
      async () => (await entry(created.id, 'stale-1')).state === 'applied',
    );
    expect(agents[0].active).toBe(rev.sha256);
  });

  it('pauses for approval between waves, sends nothing to the next wave until approved', async () => {
    const agents = fleet('approve', 4);
    await online(agents);
    const rev = await revision();
    const created = await create({
      profile: 'rollout-test',
      revision: rev.revision,
      targets: { agentIds: agents.map((a) => a.id) },
      waves: { sizes: [2, 2] },
      pauseBetweenWaves: true,
      mode: 'publish',
    });
    const waiting = await until(created.id, 'awaiting approval', (r) => r.state === 'awaiting_approval');
    expect(waiting.currentWave).toBe(1);
    expect(waiting.stateReason).toMatch(/approve/);
    await new Promise((r) => setTimeout(r, 500)); // several ticks: still nothing for wave 2
    expect(agents[2].received).toHaveLength(0);
    expect(agents[3].received).toHaveLength(0);
    const approved = await c.api.ok<Rollout>('POST', `/api/rollouts/${created.id}/approve`);
    expect(approved).toMatchObject({ state: 'running', currentWave: 2 });
    await until(
      created.id,
      'completed',
      (r) => r.state === 'completed' && r.agents.every((a) => a.state === 'applied'),
    );
    // Approving again is refused: the rollout is not awaiting approval any more.
    expect(await c.api.call('POST', `/api/rollouts/${created.id}/approve`)).toMatchObject({
      status: 409,
      body: { error: 'conflict', code: 'rollout_not_awaiting_approval' },
    });
  });

  it('halts at the error threshold with the reason, then retry-failed finishes it', async () => {
    const agents = fleet('halt', 6);
    agents[0].behaviour = 'fail-activate';
    agents[1].behaviour = 'fail-activate';
    await online(agents);
    const rev = await revision();
    const created = await create({
      profile: 'rollout-test',
      revision: rev.revision,
      targets: { agentIds: agents.map((a) => a.id) },
      waves: { sizes: [3, 3] },
      errorThreshold: { count: 2 },
      mode: 'publish',
    });
    const halted = await until(created.id, 'halted', (r) => r.state === 'halted');
    expect(halted.stateReason).toMatch(/^2 of 6 agents failed \(error threshold: 2 agent/);
    const failed = halted.agents.filter((a) => a.state === 'failed');
    expect(failed.map((a) => a.agentId).sort()).toEqual(['halt-1', 'halt-2']);
    for (const f of failed) expect(f.reason).toMatch(/certificate not trusted/);
    expect(halted.agents.filter((a) => a.wave === 2).every((a) => a.state === 'pending')).toBe(true);
    await new Promise((r) => setTimeout(r, 400));
    expect(agents.slice(3).every((a) => a.received.length === 0)).toBe(true);

    agents[0].behaviour = 'ok';
    agents[1].behaviour = 'ok';
    const retried = await c.api.ok<Rollout>('POST', `/api/rollouts/${created.id}/retry-failed`);
    expect(retried.state).toBe('running');
    // The failed entry is reset; the tick may already have sent it again by the time the answer is read.
    const halt1 = retried.agents.find((a) => a.agentId === 'halt-1');
    expect(['pending', 'synchronizing', 'synchronized', 'applying', 'applied']).toContain(halt1?.state);
    expect(halt1?.attempts).toBeGreaterThanOrEqual(1);
    const done = await until(created.id, 'completed after retry', (r) => r.state === 'completed');
    expect(done.agents.every((a) => a.state === 'applied')).toBe(true);
  });

  it('holds back agents below the minimum version or lacking a capability as needs_upgrade, not failures', async () => {
    const old = new ScriptedAgent('gate-old', 'ok', { version: '1.9.9', capabilities: ['wss', 'mtls'] });
    const noMtls = new ScriptedAgent('gate-nomtls', 'ok', { version: '2.1.0', capabilities: ['wss'] });
    const fine = new ScriptedAgent('gate-fine', 'ok', { version: '2.0.0', capabilities: ['mtls', 'wss'] });
    await online([old, noMtls, fine]);
    const rev = await revision({ minimumAgentVersion: '2.0.0', requiredCapabilities: ['wss', 'mtls'] });
    const created = await create({
      profile: 'rollout-test',
      revision: rev.revision,
      targets: { agentIds: ['gate-old', 'gate-nomtls', 'gate-fine'] },
      errorThreshold: { count: 1 },
      mode: 'publish',
    });
    const done = await until(created.id, 'completed', (r) => r.state === 'completed');
    const byId = new Map(done.agents.map((a) => [a.agentId, a]));
    expect(byId.get('gate-old')).toMatchObject({
      state: 'needs_upgrade',
      reason: expect.stringMatching(/1\.9\.9 is below the minimum 2\.0\.0/),
    });
    expect(byId.get('gate-nomtls')).toMatchObject({
      state: 'needs_upgrade',
      reason: expect.stringMatching(/lacks capability mtls/),
    });
    expect(byId.get('gate-fine')?.state).toBe('applied');
    expect(old.received).toHaveLength(0);
    expect(noMtls.received).toHaveLength(0);
  });

  it('re-synchronizes an applied agent of an unfinished rollout that comes back reporting another profile', async () => {
    const [agent, next] = fleet('reset', 2);
    await online([agent, next]);
    const rev = await revision();
    // Waiting for approval after wave 1: the rollout is not finished, its record still follows the agent.
    const created = await createFor([agent, next], rev, {
      mode: 'publish',
      waves: { sizes: [1, 1] },
      pauseBetweenWaves: true,
    });
    await until(created.id, 'wave 1 applied', (r) => r.state === 'awaiting_approval');
    // The box is swapped: it reports no profile at all, and this time does not answer.
    await agent.disconnect();
    agent.active = null;
    agent.staged = null;
    agent.behaviour = 'silent';
    const welcome = await agent.connect(url(), credentials.get(agent.id)!);
    expect(welcome.desiredProfile).toEqual({
      name: 'rollout-test',
      revision: rev.revision,
      sha256: rev.sha256,
    });
    // The key agents pin to verify manifests comes from the profiles domain's signing key.
    expect(welcome.profileSigningKey).toMatch(/^-----BEGIN PUBLIC KEY-----/);
    const corrected = await entry(created.id, agent.id);
    expect(corrected.state).toBe('pending');
    expect(corrected.reason).toMatch(/reported no profile at hello; synchronizing again/);
    await waitFor(
      'sync re-sent',
      async () => agent.received.filter((f) => f.type === 'profile.sync').length === 2,
    );
    // Answering now brings it back to applied, through the same delivery steps.
    await agent.disconnect();
    agent.behaviour = 'ok';
    await online([agent]);
    await waitFor('re-applied', async () => (await entry(created.id, agent.id)).state === 'applied');
    expect(agent.active).toBe(rev.sha256);
    await c.api.ok('POST', `/api/rollouts/${created.id}/cancel`);
  });

  it('history rewritten: a hello never moves an entry of a completed rollout back, nor does the next rollout cancel it', async () => {
    const [agent] = fleet('final', 1);
    await online([agent]);
    const first = await revision();
    const done = await createFor([agent], first, { mode: 'publish' });
    await until(done.id, 'completed', (r) => r.state === 'completed');
    const recorded = await entry(done.id, agent.id);
    expect(recorded).toMatchObject({ state: 'applied', reason: null });
    // After a crash the agent comes back with something else (here: nothing) active and staged.
    await agent.disconnect();
    agent.active = null;
    agent.staged = null;
    agent.behaviour = 'silent';
    const welcome = await agent.connect(url(), credentials.get(agent.id)!);
    expect(welcome.desiredProfile).toMatchObject({ sha256: first.sha256 });
    await new Promise((r) => setTimeout(r, 600)); // several ticks
    // The record of the completed rollout is final: applied, as it was; nothing is sent for it.
    expect(await entry(done.id, agent.id)).toEqual({ ...recorded, connection: 'online' });
    expect(agent.received.map((f) => f.type)).toEqual(['profile.sync', 'profile.activate']);
    // The next rollout to the agent supersedes only what was unfinished: the old record stays applied.
    agent.behaviour = 'ok';
    const second = await revision();
    const next = await createFor([agent], second, { mode: 'publish' });
    await until(next.id, 'next completed', (r) => r.state === 'completed');
    expect(agent.active).toBe(second.sha256);
    expect(await entry(done.id, agent.id)).toMatchObject({ state: 'applied', reason: null });
  });

  it('a rollout stalled by an agent killed in its candidate window: its restart hello gets the activation again', async () => {
    const [agent, old] = fleet('killed', 2, 'killed-applying');
    agent.helloExtra = { candidate: false };
    await online([agent, old]);
    const rev = await revision();
    // The default step timeout: the fix must not wait for it (nor for an operator's retry-failed).
    const created = await createFor([agent, old], rev, { mode: 'publish', stepTimeoutSeconds: 300 });
    await until(created.id, 'both applying, then killed', (r) =>
      r.agents.every((a) => a.state === 'applying'),
    );
    await Promise.all([agent.raw.closed, old.raw.closed]);
    expect([agent.active, agent.staged]).toEqual([null, rev.sha256]);
    // Restarted: the old profile active, the new one staged, and (this version) not a candidate.
    agent.behaviour = 'ok';
    old.behaviour = 'ok';
    await online([agent, old]);
    await waitFor('activated again', async () => (await entry(created.id, agent.id)).state === 'applied');
    expect(agent.received.map((f) => f.type)).toEqual([
      'profile.sync',
      'profile.activate',
      'profile.activate',
    ]);
    expect(agent.active).toBe(rev.sha256);
    // An agent older than the field says the same at hello as a candidate does: left applying, as
    // before (it becomes stale after the step timeout; docs/rollouts.md).
    await new Promise((r) => setTimeout(r, 600));
    expect(await entry(created.id, old.id)).toMatchObject({ state: 'applying' });
    expect(old.received.map((f) => f.type)).toEqual(['profile.sync', 'profile.activate']);
    await c.api.ok('POST', `/api/rollouts/${created.id}/cancel`);
  });

  it('judges an answer from the table when its entry moved after the frame was sent (never from memory alone)', async () => {
    const agents = fleet('moved', 2, 'silent');
    await online(agents);
    const rev = await revision();
    const created = await createFor(agents, rev, { mode: 'synchronize' });
    await waitFor('profile.sync sent to both', async () => agents.every((a) => a.received.length > 0));
    const memory = c.central.app.get(DeliveryMemory);
    const recorder = c.central.app.get(RolloutStatusRecorder);
    const synchronized = (a: ScriptedAgent) => ({
      type: 'profile.status' as const,
      deliveryId: a.received[0]!.deliveryId as string,
      sha256: rev.sha256,
      state: 'synchronized' as const,
    });
    const move = (agentId: string, set: string) =>
      sql.query(`UPDATE rollout_agents SET ${set} WHERE rollout_id = $1 AND agent_id = $2`, [
        created.id,
        agentId,
      ]);
    // moved-1's progress was written another way meanwhile: the node still remembers it pending, the
    // change judged from that does not hold, and the answer counts from the state the table has.
    await move('moved-1', `state = 'synchronizing'`);
    expect(memory.recall(created.id, 'moved-1')?.state).toBe('pending');
    await expect(recorder.record('moved-1', synchronized(agents[0]))).resolves.toEqual({
      recorded: true,
      state: 'synchronized',
      mode: 'synchronize',
    });
    // moved-2's attempt was replaced (an operator's retry): its late answer does not count.
    await move('moved-2', 'attempts = attempts + 1, sent_step = NULL, sent_session = NULL');
    await expect(recorder.record('moved-2', synchronized(agents[1]))).resolves.toEqual({
      recorded: false,
      why: expect.stringMatching(/^attempt \d+ was replaced by \d+$/),
    });
    expect(await entry(created.id, 'moved-1')).toMatchObject({ state: 'synchronized' });
    expect(await entry(created.id, 'moved-2')).toMatchObject({ state: 'pending' });
    // A delivery that reached its goal is not remembered any longer.
    expect(memory.recall(created.id, 'moved-1')).toBeUndefined();
  });

  it('cancel stops a rollout: what was not started is cancelled and never sent', async () => {
    const agents = fleet('cancel', 4);
    await online(agents);
    const rev = await revision();
    const created = await create({
      profile: 'rollout-test',
      revision: rev.revision,
      targets: { agentIds: agents.map((a) => a.id) },
      waves: { sizes: [2, 2] },
      pauseBetweenWaves: true,
      mode: 'publish',
    });
    expect((created as unknown as { targets: unknown }).targets).toEqual({
      agentIds: ['cancel-1', 'cancel-2', 'cancel-3', 'cancel-4'],
      agentIdCount: 4,
    });
    await until(created.id, 'awaiting approval', (r) => r.state === 'awaiting_approval');
    const cancelled = await c.api.ok<Rollout>('POST', `/api/rollouts/${created.id}/cancel`);
    expect(cancelled.state).toBe('cancelled');
    expect(cancelled.agents.map((a) => a.state)).toEqual(['applied', 'applied', 'cancelled', 'cancelled']);
    await new Promise((r) => setTimeout(r, 400));
    expect(agents[2].received).toHaveLength(0);
    expect(await c.api.call('POST', `/api/rollouts/${created.id}/resume`)).toMatchObject({
      status: 409,
      body: { error: 'conflict', code: 'rollout_not_paused', state: 'cancelled' },
    });
    const list = await c.api.ok<Array<{ id: string; state: string }>>('GET', '/api/rollouts');
    expect(list.find((r) => r.id === created.id)?.state).toBe('cancelled');
  });

  it('survives a central restart mid-rollout: it completes, and nobody is shown applied who did not say so', async () => {
    const agents = fleet('restart', 4);
    agents[2].behaviour = 'ack-only';
    agents[3].behaviour = 'ack-only';
    await online(agents);
    const rev = await revision();
    const created = await create({
      profile: 'rollout-test',
      revision: rev.revision,
      targets: { agentIds: agents.map((a) => a.id) },
      waves: { sizes: [2, 2] },
      mode: 'publish',
    });
    // Wave 2 is under way (synchronizing) when central goes down.
    await until(created.id, 'wave 2 synchronizing', (r) =>
      r.agents.filter((a) => a.wave === 2).every((a) => a.state === 'synchronizing'),
    );
    const ports = c.ports;
    await c.stop();
    await Promise.all(agents.map((a) => a.raw.closed));
    const { rows } = await sql.query(
      `SELECT agent_id, state FROM rollout_agents WHERE rollout_id = $1 ORDER BY agent_id`,
      [created.id],
    );
    expect(rows.map((r: { state: string }) => r.state)).toEqual([
      'applied',
      'applied',
      'synchronizing',
      'synchronizing',
    ]);

    c = await startTestCentral(db.url, { heartbeatMs: 1000, ports, env });
    // The agents lost their half-done download with the connection; they come back and say so.
    agents[2].behaviour = 'ok';
    agents[3].behaviour = 'ok';
    await online(agents);
    const done = await until(created.id, 'completed after the restart', (r) => r.state === 'completed');
    for (const a of agents) {
      const shown = done.agents.find((e) => e.agentId === a.id)!;
      expect(shown.state).toBe('applied');
      expect(a.active).toBe(rev.sha256); // the agent itself says so
    }
    expect(done.agents.find((a) => a.agentId === 'restart-3')?.attempts).toBe(1); // a new delivery, not the lost one
  });

  it('two centrals on one database: a rollout created on node A reaches an agent connected to node B', async () => {
    const b = await startTestCentral(db.url, { heartbeatMs: 1000, env });
    try {
      // One machine cannot bind the stored agent port twice: node B listens on its own port, locally.
      await b.central.app.get(ListenerManager).apply(
        {
          plain: { ...DEFAULT_WEBSOCKET_SETTINGS.plain, port: b.ports.plain, bindAddress: '127.0.0.1' },
          secure: { ...DEFAULT_WEBSOCKET_SETTINGS.secure, port: b.ports.secure, bindAddress: '127.0.0.1' },
        },
        undefined,
      );
      const agent = new ScriptedAgent('node-b-1');
      const welcome = await agent.connect(`ws://127.0.0.1:${b.ports.plain}/agent`, token);
      expect(welcome.nodeId).toBe(b.central.node.id);
      const rev = await revision();
      const created = await create({
        profile: 'rollout-test',
        revision: rev.revision,
        targets: { agentIds: [agent.id] },
        mode: 'publish',
      });
      const done = await until(created.id, 'applied through node B', (r) => r.state === 'completed');
      expect(done.agents[0].state).toBe('applied');
      expect(agent.active).toBe(rev.sha256);
      // Node A shows what node B recorded.
      expect(
        await c.api.ok<{ nodeId: string; profileSha256: string }>('GET', `/api/agents/${agent.id}`),
      ).toMatchObject({ nodeId: b.central.node.id, profileSha256: rev.sha256 });
      await agent.disconnect();
    } finally {
      await b.stop();
    }
  });
});
