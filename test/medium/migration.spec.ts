import { execFile } from 'node:child_process';
import { createHash, X509Certificate } from 'node:crypto';
import { createServer, type Server } from 'node:net';
import { DEFAULT_WEBSOCKET_SETTINGS } from '../../apps/central/src/settings/websocket-settings.js';
import { startTestCentral, seedSettings, type TestCentral } from '../support/in-process-central.js';
import { freePorts, waitFor } from '../support/ports.js';
import { answerProfileFrames } from '../support/profile-answers.js';
import { RawAgent } from '../support/raw-agent.js';
import { createTestDatabase, type TestDatabase } from '../support/test-database.js';
import { presentedCertificate, tcpAccepts } from '../support/tls-probe.js';
import pg from 'pg';

interface Precondition {
  id: string;
  ok: boolean;
  reason: string;
}
interface Stranded {
  agentId: string;
  reasons: Array<{ code: string; message: string }>;
}
interface Status {
  phase: string;
  next: string | null;
  pending: { rolloutId: string } | null;
  preconditions: Precondition[];
  breakdown: Record<'secure' | 'plainButAble' | 'plainNotAble' | 'offline' | 'exempt', string[]>;
  stranded: Stranded[];
  history: Array<{ kind: string; from: string; to: string; actor: string; reason: string; forced: boolean }>;
}

/** Runs the built `migrate` CLI against the test database (tests run after `npm run build`). */
function migrateCli(args: string[], env: Record<string, string>) {
  return new Promise<{ code: number; stdout: string; stderr: string }>((resolve) => {
    execFile(
      process.execPath,
      ['dist/apps/central/src/migrate/main.js', ...args],
      { env: { PATH: process.env.PATH, ...env } },
      (error, stdout, stderr) =>
        resolve({ code: error ? ((error as { code?: number }).code ?? 1) : 0, stdout, stderr }),
    );
  });
}

describe('staged plain → secure migration (real PostgreSQL, real listeners, real agents)', () => {
  let db: TestDatabase;
  let c: TestCentral;
  let sql: pg.Client;
  let token: string;
  let ca: string;
  const ports = { plain: 0, secure: 0 };
  const agents: RawAgent[] = [];

  const status = (query = '') => c.api.ok<Status>('GET', `/api/migration${query}`);
  const advance = (body: Record<string, unknown>) =>
    c.api.call<Status & { message: string }>('POST', '/api/migration/advance', body);
  const plainAgent = async (id: string, capabilities = ['wss']) => {
    const a = new RawAgent({ url: `ws://127.0.0.1:${ports.plain}/agent`, agentId: id, secret: token });
    await a.opened;
    a.hello('plain', { capabilities });
    await a.welcome();
    agents.push(a);
    return a;
  };
  const secureAgent = async (id: string) => {
    const a = await RawAgent.connect(
      { url: `wss://127.0.0.1:${ports.secure}/agent`, agentId: id, secret: token, ca },
      'secure',
    );
    agents.push(a);
    return a;
  };
  const disconnect = async (a: RawAgent, id: string) => {
    a.socket.close();
    await a.closed;
    await waitFor(
      `${id} offline`,
      async () => (await c.api.ok<{ status: string }>('GET', `/api/agents/${id}`)).status !== 'online',
    );
  };

  beforeAll(async () => {
    db = await createTestDatabase();
    [ports.plain, ports.secure] = await freePorts(2);
    // plain on every interface, as in production, so "127.0.0.1 only" is observable from 127.0.0.2
    await seedSettings(db.url, {
      plain: { ...DEFAULT_WEBSOCKET_SETTINGS.plain, port: ports.plain },
      secure: { ...DEFAULT_WEBSOCKET_SETTINGS.secure, port: ports.secure, bindAddress: '127.0.0.1' },
    });
    c = await startTestCentral(db.url, { heartbeatMs: 1000 });
    token = (await c.api.ok<{ token: string }>('POST', '/api/agents/enrollment-tokens', { maxUses: 100 }))
      .token;
    ca = (await c.api.call<string>('GET', '/api/certificates/server/chain')).body;
    sql = new pg.Client({ connectionString: db.url });
    await sql.connect();
  });
  afterAll(async () => {
    for (const a of agents) a.socket.terminate();
    await sql?.end();
    await c?.stop();
    await db?.drop();
  });

  it('shows plain_only and the dual preconditions, each failing with its reason', async () => {
    const s = await status();
    expect(s).toMatchObject({ phase: 'plain_only', next: 'dual', pending: null });
    expect(s.preconditions.map((p) => [p.id, p.ok])).toEqual([
      ['certificate_validity', true],
      ['certificate_chain', true],
      ['certificate_names', true],
      ['ports_distinct', true],
      ['ports_free', true],
    ]);

    const tooShort = await status('?minCertificateDays=1000');
    expect(tooShort.preconditions[0]).toMatchObject({
      ok: false,
      reason: expect.stringMatching(/more days only, 1000 needed/),
    });

    // A profile whose agents dial a name the self-signed certificate does not carry.
    await sql.query(
      `INSERT INTO profiles (name, draft_agent_conf, truststore_password_encrypted, created_by, updated_by)
       VALUES ('branch', 'central.host=branch.example.com\n', 'x', 'test', 'test')`,
    );
    const blocker: Server = createServer();
    await new Promise<void>((r) => blocker.listen(ports.secure, '127.0.0.1', () => r()));
    const refused = await advance({ reason: 'try dual' });
    expect(refused.status).toBe(409);
    expect(refused.body).toMatchObject({ error: 'conflict', code: 'preconditions_not_met' });
    const failed = (refused.body as unknown as { preconditions: Precondition[] }).preconditions.filter(
      (p) => !p.ok,
    );
    expect(failed.map((p) => p.id)).toEqual(['certificate_names', 'ports_free']);
    expect(failed[0]!.reason).toMatch(/does not cover branch\.example\.com/);
    expect(failed[1]!.reason).toBe(`secure port ${ports.secure} on 127.0.0.1 is in use by another process`);
    expect((await status()).phase).toBe('plain_only');
    await new Promise((r) => blocker.close(r));
    await sql.query(`DELETE FROM profiles WHERE name = 'branch'`);
  });

  it('advancing to dual binds the secure listener live', async () => {
    const r = await advance({ to: 'dual', reason: 'certificate checked, ports free' });
    expect(r.status).toBe(200);
    expect(r.body.phase).toBe('dual');
    const presented = await presentedCertificate(ports.secure);
    expect(presented.fingerprint256).toBe(new X509Certificate(ca).fingerprint256);
    expect(r.body.history[0]).toMatchObject({
      kind: 'advance',
      from: 'plain_only',
      to: 'dual',
      actor: 'admin',
      reason: 'certificate checked, ports free',
    });
    const skip = await advance({ to: 'secure_only', reason: 'skip ahead' });
    expect(skip.status).toBe(409);
    expect(skip.body).toMatchObject({ error: 'conflict', code: 'step_out_of_order' });
    expect(skip.body.message).toMatch(/one phase at a time/);
  });

  it('secure_published: follows a publish rollout of a secure revision and is reached when it completes', async () => {
    const anchor = new X509Certificate(ca);
    const conf = 'central.host=localhost\ncentral.websocket.secure=true\n';
    await sql.query(
      `INSERT INTO profiles (name, draft_agent_conf, truststore_password_encrypted, created_by, updated_by)
       VALUES ('fleet', $1, 'x', 'test', 'test')`,
      [conf],
    );
    const revision = (n: number, agentConf: string) =>
      sql.query(
        `INSERT INTO profile_revisions (profile_name, revision, sha256, size_bytes, archive, manifest, agent_conf, truststore,
                                        minimum_agent_version, required_capabilities, created_by)
         VALUES ('fleet', $1, $2, 1, '\\x00', '{}', $3, $4, '0.1.0', '["wss"]', 'test')`,
        [
          n,
          createHash('sha256').update(String(n)).digest('hex'),
          agentConf,
          JSON.stringify([{ alias: 'central', fingerprintSha256: anchor.fingerprint256 }]),
        ],
      );
    await revision(1, 'central.host=localhost\ncentral.websocket.secure=false\n');
    await revision(2, conf);
    const plainRevision = await advance({ reason: 'publish', profile: 'fleet', revision: 1 });
    expect(plainRevision.status).toBe(409);
    expect(plainRevision.body.message).toMatch(/central\.websocket\.secure=false, not true/);

    const [{ id: rolloutId }] = (
      await sql.query(
        // Paused: a running rollout without entries is completed by the next rollout tick (1 s), and on a
        // quiet machine that tick can come before the status is read.
        `INSERT INTO rollouts (profile_name, revision, mode, targets, waves, wave_count, success_threshold_percent, error_threshold, created_by, state)
         VALUES ('fleet', 2, 'publish', '{"all":true}', '{"sizes":[100]}', 1, 100, '{"count":1}', 'test', 'paused') RETURNING id`,
      )
    ).rows as Array<{ id: string }>;
    const started = await advance({ reason: 'publish the secure revision', rolloutId });
    expect(started.status).toBe(200);
    expect(started.body).toMatchObject({ phase: 'dual', pending: { rolloutId } });
    expect(started.body.preconditions.find((p) => p.id === 'secure_rollout')).toMatchObject({
      ok: false,
      reason: expect.stringMatching(/is paused/),
    });
    const early = await advance({ reason: 'too early' });
    expect(early.status).toBe(409);
    expect(early.body.message).toMatch(
      /wait for it to complete, or publish anyway to accept it as it stands \(switchyard-migrate advance --accept\)/,
    );

    await sql.query(`UPDATE rollouts SET state = 'completed' WHERE id = $1`, [rolloutId]);
    const reached = await status();
    expect(reached).toMatchObject({ phase: 'secure_published', next: 'secure_only', pending: null });
    expect(reached.history[0]).toMatchObject({
      kind: 'rollout_completed',
      to: 'secure_published',
      actor: 'system',
    });
  });

  it('the secure_only gate lists who would be stranded and why; force needs exactly that list', async () => {
    await secureAgent('sec-1');
    // connected securely once, but last connected over plain
    await disconnect(await secureAgent('flip'), 'flip');
    await plainAgent('flip');
    await plainAgent('legacy', []); // reports no wss capability
    await disconnect(await secureAgent('away'), 'away');
    // away was last seen three days ago, longer than its window (24 h, its offline gaps were short)
    await sql.query(`UPDATE agents SET last_seen_at = now() - interval '3 days' WHERE id = 'away'`);
    const [rollout] = (await sql.query(`SELECT id FROM rollouts LIMIT 1`)).rows as Array<{ id: string }>;
    await sql.query(
      `INSERT INTO rollout_agents (rollout_id, agent_id, wave, state, reason) VALUES ($1, 'legacy', 1, 'needs_upgrade', 'lacks capability wss')`,
      [rollout!.id],
    );

    const history = (await sql.query(`SELECT agent_id, transport FROM agent_connections ORDER BY id`)).rows;
    expect(history.filter((h) => h.agent_id === 'flip').map((h) => h.transport)).toEqual(['secure', 'plain']);

    const refused = await advance({ reason: 'everyone switched?' });
    expect(refused.status).toBe(409);
    const stranded = (refused.body as unknown as { stranded: Stranded[] }).stranded;
    expect(stranded.map((s) => s.agentId)).toEqual(['away', 'flip', 'legacy']);
    const why = Object.fromEntries(stranded.map((s) => [s.agentId, s.reasons.map((r) => r.code)]));
    expect(why).toEqual({
      away: ['offline'],
      flip: ['plain'],
      legacy: ['plain', 'cannot_wss', 'failed_apply'],
    });
    expect(stranded[0]!.reasons[0]!.message).toMatch(/^offline since \d{4}-.*24 h observation window/);
    expect(stranded[1]!.reasons[0]!.message).toMatch(
      /^connected over plain since .* \(last over secure \d{4}-/,
    );
    expect(stranded[2]!.reasons.map((r) => r.message)).toEqual([
      expect.stringMatching(/never over secure/),
      "cannot do wss: agent version 0.1.0 lacks the 'wss' capability",
      expect.stringMatching(/^failed apply: needs_upgrade: lacks capability wss/),
    ]);
    const s = await status();
    expect(s.breakdown).toEqual({
      secure: ['sec-1'],
      plainButAble: ['flip'],
      plainNotAble: ['legacy'],
      offline: ['away'],
      exempt: [],
      viaConnector: [],
    });
  });

  it('an exemption counts until it expires', async () => {
    const soon = new Date(Date.now() + 2000).toISOString();
    await c.api.ok('POST', '/api/migration/exemptions', {
      agentId: 'legacy',
      reason: 'behind a connector',
      expiresAt: soon,
    });
    expect((await status()).stranded.map((s) => s.agentId)).toEqual(['away', 'flip']);
    expect((await status()).breakdown.exempt).toEqual(['legacy']);
    await new Promise((r) => setTimeout(r, 2500));
    expect((await status()).stranded.map((s) => s.agentId)).toEqual(['away', 'flip', 'legacy']);
    const list = await c.api.ok<Array<{ agentId: string; active: boolean }>>(
      'GET',
      '/api/migration/exemptions',
    );
    expect(list).toEqual([expect.objectContaining({ agentId: 'legacy', active: false })]);
    await c.api.ok('POST', '/api/migration/exemptions', {
      agentId: 'legacy',
      reason: 'behind a connector until the firmware update',
      expiresAt: new Date(Date.now() + 86_400_000).toISOString(),
    });
    const past = await c.api.call('POST', '/api/migration/exemptions', {
      agentId: 'flip',
      reason: 'x',
      expiresAt: '2000-01-01T00:00:00Z',
    });
    expect(past.status).toBe(400);
    const unknown = await c.api.call('POST', '/api/migration/exemptions', {
      agentId: 'nobody',
      reason: 'x',
      expiresAt: soon.replace(/^\d{4}/, '2099'),
    });
    expect(unknown.status).toBe(404);
  });

  it('force with a wrong acknowledge list is refused, naming the difference; with the exact list plain goes to 127.0.0.1', async () => {
    const wrong = await advance({ reason: 'cut over', force: true, acknowledge: ['away', 'sec-1'] });
    expect(wrong.status).toBe(400);
    expect(wrong.body.message).toBe(
      'acknowledge: missing stranded agent(s): flip; not stranded, remove: sec-1',
    );
    expect((await status()).phase).toBe('secure_published');

    const ok = await advance({
      to: 'secure_only',
      reason: 'cut over; away and flip acknowledged',
      force: true,
      acknowledge: ['flip', 'away'],
    });
    expect(ok.status).toBe(200);
    expect(ok.body.phase).toBe('secure_only');
    expect(ok.body.history[0]).toMatchObject({ kind: 'advance', to: 'secure_only', forced: true });
    expect(await tcpAccepts(ports.plain, '127.0.0.1')).toBe(true);
    expect(await tcpAccepts(ports.plain, '127.0.0.2')).toBe(false);
    expect(await tcpAccepts(ports.secure, '127.0.0.1')).toBe(true);
    const audit = await c.api.ok<Array<{ action: string; details: Record<string, unknown> }>>(
      'GET',
      '/api/audit?search=migration',
    );
    expect(
      audit.find((e) => e.action === 'migration advance' && e.details.to === 'secure_only')?.details,
    ).toMatchObject({
      forced: true,
      acknowledged: ['away', 'flip'],
    });
  });

  it('the migrate CLI reads and changes the same database; running nodes apply its rollback through NOTIFY', async () => {
    const env = {
      DATABASE_URL: db.url,
      SWITCHYARD_DATA_DIR: c.dataDir,
      SWITCHYARD_HTTP_PORT: String(c.ports.http),
    };
    const shown = await migrateCli(['status'], env);
    expect(shown.code).toBe(0);
    expect(shown.stdout).toMatch(/^Phase\s+secure_only \(last phase\)/m);
    expect(shown.stdout).toMatch(/^plain, not able\s+0/m);
    expect(shown.stdout).toMatch(/^exempt\s+1\s+legacy/m);
    expect(shown.stdout).toMatch(/advance secure_published → secure_only \(forced\)/);

    expect((await migrateCli(['exempt', 'flip', '--reason', 'local agent', '--for', '7d'], env)).code).toBe(
      0,
    );
    const listed = await migrateCli(['exempt', '--list'], env);
    expect(listed.stdout).toMatch(/^flip\s+\S+\s+active\s+migrate \(\S+\)\s+local agent$/m);
    expect((await migrateCli(['advance', '--reason', 'again'], env)).code).toBe(1);
    const usage = await migrateCli(['advance'], env);
    expect(usage.code).toBe(2);
    expect(usage.stderr).toMatch(/advance needs --reason TEXT/);

    const back = await migrateCli(
      ['rollback', '--to', 'dual', '--reason', 'a branch lost its connector'],
      env,
    );
    expect(back.code).toBe(0);
    expect(back.stdout).toMatch(/^Phase\s+dual/m);
    await waitFor('plain on every interface again', () => tcpAccepts(ports.plain, '127.0.0.2'));
    expect(await tcpAccepts(ports.secure, '127.0.0.1')).toBe(true);
    const s = await status();
    expect(s.history[0]).toMatchObject({
      kind: 'rollback',
      from: 'secure_only',
      to: 'dual',
      actor: expect.stringMatching(/^migrate \(/),
    });
  });
});

describe('secure_published started by the migration: a secure revision of the profile in use, published by a rollout', () => {
  let db: TestDatabase;
  let c: TestCentral;
  let token: string;
  const ports = { plain: 0, secure: 0 };
  const agents: RawAgent[] = [];

  const advance = (body: Record<string, unknown>) =>
    c.api.call<Status & { message: string }>('POST', '/api/migration/advance', body);
  const plainAgent = async (id: string, capabilities: string[], failWith?: string) => {
    const a = new RawAgent({ url: `ws://127.0.0.1:${ports.plain}/agent`, agentId: id, secret: token });
    answerProfileFrames(a, failWith);
    await a.opened;
    a.hello('plain', { agentVersion: '1.0.0', capabilities });
    await a.welcome();
    agents.push(a);
  };

  beforeAll(async () => {
    db = await createTestDatabase();
    [ports.plain, ports.secure] = await freePorts(2);
    await seedSettings(db.url, {
      plain: { ...DEFAULT_WEBSOCKET_SETTINGS.plain, port: ports.plain, bindAddress: '127.0.0.1' },
      secure: { ...DEFAULT_WEBSOCKET_SETTINGS.secure, port: ports.secure, bindAddress: '127.0.0.1' },
    });
    c = await startTestCentral(db.url, { heartbeatMs: 1000 });
    token = (await c.api.ok<{ token: string }>('POST', '/api/agents/enrollment-tokens', { maxUses: 100 }))
      .token;
    expect((await advance({ to: 'dual', reason: 'secure on' })).status).toBe(200);
  });
  afterAll(async () => {
    for (const a of agents) a.socket.terminate();
    await c?.stop();
    await db?.drop();
  });

  it('prepares default with secure=true, the secure port and the anchor, publishes it to all agents in the waves asked for, and reaches the phase when the rollout completes', async () => {
    await plainAgent('m-1', ['wss']);
    await plainAgent('m-2', ['wss']);
    await plainAgent('m-3', ['wss']);
    await plainAgent('old-1', []); // cannot do wss: listed as needing an upgrade, sent nothing

    const badWaves = await advance({ reason: 'x', waves: { percentages: [50, 20] } });
    expect(badWaves.status).toBe(400);
    const half = await advance({ reason: 'profile without revision', profile: 'default' });
    expect(half.status).toBe(400);

    const started = await advance({ reason: 'publish secure', waves: { sizes: [2, 2] } });
    expect(started.status).toBe(200);
    expect(started.body.history.map((h) => h.kind)).toContain('rollout_started');

    const s = await waitFor(
      'secure_published reached',
      async () => {
        const st = await c.api.ok<Status>('GET', '/api/migration');
        return st.phase === 'secure_published' ? st : undefined;
      },
      20_000,
    );
    expect(s.history[0]).toMatchObject({ kind: 'rollout_completed', actor: 'system' });

    const rollouts = await c.api.ok<
      Array<{
        id: string;
        profile: string;
        revision: number;
        mode: string;
        waveCount: number;
        createdBy: string;
      }>
    >('GET', '/api/rollouts');
    expect(rollouts).toHaveLength(1);
    const r = rollouts[0]!;
    expect(r).toMatchObject({ profile: 'default', mode: 'publish', waveCount: 2, createdBy: 'admin' });
    const detail = await c.api.ok<{
      agents: Array<{ agentId: string; state: string; reason: string | null }>;
    }>('GET', `/api/rollouts/${r.id}`);
    expect(Object.fromEntries(detail.agents.map((a) => [a.agentId, a.state]))).toEqual({
      'm-1': 'applied',
      'm-2': 'applied',
      'm-3': 'applied',
      'old-1': 'needs_upgrade',
    });

    const revision = await c.api.ok<{
      agentConf: string;
      truststore: Array<{ alias: string; fingerprintSha256: string }>;
      manifest: { requiredCapabilities: string[] };
    }>('GET', `/api/profiles/default/revisions/${r.revision}`);
    expect(revision.agentConf).toMatch(/^central\.websocket\.secure=true$/m);
    expect(revision.agentConf).toMatch(
      new RegExp(`^central\\.websocket\\.secure\\.port=${ports.secure}$`, 'm'),
    );
    const ca = (await c.api.call<string>('GET', '/api/certificates/server/chain')).body;
    expect(revision.truststore.map((t) => t.fingerprintSha256)).toContain(
      new X509Certificate(ca).fingerprint256,
    );
    expect(revision.manifest.requiredCapabilities).toEqual(['wss']);

    // the gate now names the agent that could not switch, with the rollout's reason
    const gate = await advance({ reason: 'cut over' });
    expect(gate.status).toBe(409);
    expect(gate.body.message).toMatch(
      /would be stranded by closing the plain listener \(secure only\): .*old-1/,
    );
  });

  it('with several profiles in use, prepares a secure revision of each but publishes none (409 naming them)', async () => {
    await c.api.ok('POST', '/api/profiles', { name: 'kiosk', template: 'default' });
    const kiosk = await c.api.ok<{ revision: number; sha256: string }>('POST', '/api/profiles/kiosk/prepare');
    const sql = new pg.Client({ connectionString: db.url });
    await sql.connect();
    await sql.query(
      `INSERT INTO agent_desired_profiles (agent_id, profile_name, revision, sha256) VALUES ('old-1', 'kiosk', $1, $2)`,
      [kiosk.revision, kiosk.sha256],
    );
    await sql.end();
    expect(
      (await c.api.call('POST', '/api/migration/rollback', { to: 'dual', reason: 'again' })).status,
    ).toBe(200);

    const r = await advance({ reason: 'publish secure' });
    expect(r.status).toBe(409);
    expect(r.body.message).toMatch(
      /^2 profiles are in use \(default revision \d+, kiosk revision 2 prepared as secure revisions\)/,
    );
    const kioskLatest = await c.api.ok<{ agentConf: string }>('GET', '/api/profiles/kiosk/revisions/2');
    expect(kioskLatest.agentConf).toMatch(/^central\.websocket\.secure=true$/m);
    expect(await c.api.ok<unknown[]>('GET', '/api/rollouts')).toHaveLength(1); // none started
  });
});
