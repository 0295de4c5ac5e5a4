// Issue 14's "done when" with real processes: one central and real agents moved to secure_only by the
// migration, then a staged rotation to a certificate from a new CA made by the openssl recipe (own CA,
// server certificate signed by it): stage → a revision trusting both anchors, published by a rollout →
// gate (every agent reports the new anchor) → activate live → clean-up revision without the old anchor.
// No agent reconnects more than once, every agent's last handshake is against the new certificate (a
// candidate connection trusting only the new anchor), and a Java client with the published
// truststore.jks trusts central before and after. SWITCHYARD_ROTATION_AGENTS sets the fleet (default 20,
// ~42 s on a quiet 2-core machine);
// SWITCHYARD_DOC_CAPTURE=FILE keeps the real answers for the rotation guide in docs/certificates.md.
import { execFile } from 'node:child_process';
import { X509Certificate } from 'node:crypto';
import { appendFileSync, existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { DEFAULT_WEBSOCKET_SETTINGS } from '../../apps/central/src/settings/websocket-settings.js';
import { PROTOCOL_VERSION } from '../../libs/protocol/index.js';
import { ApiClient } from '../support/api-client.js';
import { seedSettings } from '../support/in-process-central.js';
import { makeServerChain } from '../support/openssl-fixtures.js';
import { freePorts, waitFor } from '../support/ports.js';
import { REPO_ROOT, type RunningProcess, startCentralProcess, startTestAgent } from '../support/processes.js';
import { presentedCertificate } from '../support/tls-probe.js';
import { createTestDatabase, makeTempDir, type TestDatabase } from '../support/test-database.js';

const run = promisify(execFile);
const ADMIN_PASSWORD = 'e2e-admin-password';
const FLEET = Number(process.env.SWITCHYARD_ROTATION_AGENTS ?? 20);
const JAVA_CLIENT = join(REPO_ROOT, 'test', 'java', 'SwitchyardWsClient.java');

interface AgentRow {
  id: string;
  status: string;
  transport: string | null;
}
interface RolloutProgress {
  state: string;
  agents: Record<string, number>;
}
interface Rotation {
  id: string;
  phase: string;
  next: string | null;
  certificate: { fingerprintSha256: string; anchor: { subject: string; sha256: string } };
  steps: Array<{
    id: string;
    state: string;
    rollouts?: Array<{
      profile: string;
      revision: number;
      rolloutId: string;
      progress: RolloutProgress | null;
    }>;
  }>;
  gate?: {
    total: number;
    trusting: number;
    strandedCount: number;
    stranded: Array<{ id: string; reason: string }>;
    ok: boolean;
  };
  history: Array<{ step: string; from: string | null; to: string; actor: string; reason: string }>;
}

const agentId = (i: number) => `rot-${String(i + 1).padStart(2, '0')}`;

function agentConf(id: string, o: { port: number; securePort: number }): string {
  return [
    '# written by the e2e test',
    'central.host=localhost',
    `central.websocket.port=${o.port}`,
    'central.websocket.secure=false',
    `central.websocket.secure.port=${o.securePort}`,
    `agent.id=${id}`,
    'jetty.jvm.args=-Xmx64m -Djavax.net.ssl.trustStore=conf/security/truststore.jks -Djavax.net.ssl.trustStorePassword=changeit -Djavax.net.ssl.trustStoreType=JKS',
    '',
  ].join('\n');
}

const fingerprintOf = (pem: string) => new X509Certificate(pem).fingerprint256;

describe(`e2e: a staged certificate rotation to a new CA with ${FLEET} real agents at secure_only`, () => {
  let db: TestDatabase;
  let central: RunningProcess;
  let api: ApiClient;
  const agents = new Map<string, RunningProcess>();
  const homes = new Map<string, string>();
  const ports = { http: 0, plain: 0, secure: 0 };
  const temp = makeTempDir('sy-e2e-rotation-');
  const dataDir = join(temp, 'data');
  const ids = Array.from({ length: FLEET }, (_, i) => agentId(i));
  const env = () => ({
    SWITCHYARD_DATA_DIR: dataDir,
    SWITCHYARD_HTTP_PORT: String(ports.http),
    DATABASE_URL: db.url,
    SWITCHYARD_ADMIN_PASSWORD: ADMIN_PASSWORD,
    SWITCHYARD_HEARTBEAT_INTERVAL_MS: '1000',
  });
  /** The fleet's rows in one request (not one per agent: 20 agents polled every 100 ms would be 200 req/s). */
  const rows = async () => {
    const all = await api.ok<AgentRow[]>('GET', '/api/agents?limit=1000');
    return ids.map((id) => all.find((r) => r.id === id) ?? { id, status: 'unknown', transport: null });
  };
  const rotation = (id: string) => api.ok<Rotation>('GET', `/api/certificates/rotations/${id}`);
  const record = (title: string, value: unknown) => {
    const file = process.env.SWITCHYARD_DOC_CAPTURE;
    if (file)
      appendFileSync(
        file,
        `\n### ${title}\n${typeof value === 'string' ? value : JSON.stringify(value, null, 2)}\n`,
      );
  };
  /** certmgr's real output, for the guide (`-rotate-status` reads the database only). */
  const certmgr = async (title: string, args: string[]) => {
    const r = await run(
      process.execPath,
      [join(REPO_ROOT, 'dist/apps/central/src/certmgr/main.js'), ...args],
      {
        env: { PATH: process.env.PATH, ...env() },
      },
    ).then(
      (o) => ({ code: 0, out: o.stdout + o.stderr }),
      (e: { code: number; stdout: string; stderr: string }) => ({ code: e.code, out: e.stdout + e.stderr }),
    );
    record(title, `$ npm run certmgr -- ${args.join(' ')}\n${r.out}exit ${r.code}`);
    return r;
  };

  /** The Java 17 WebSocket client with the truststore.jks an agent received: welcomed or not. */
  const javaTrusts = async (truststore: string, id: string, token: string) => {
    const r = await run(
      'java',
      [
        `-Djavax.net.ssl.trustStore=${truststore}`,
        '-Djavax.net.ssl.trustStorePassword=changeit',
        '-Djavax.net.ssl.trustStoreType=JKS',
        JAVA_CLIENT,
        `wss://localhost:${ports.secure}/agent`,
        id,
        token,
        String(PROTOCOL_VERSION),
      ],
      { timeout: 60_000 },
    ).then(
      (o) => o.stdout + o.stderr,
      (e: { stdout: string; stderr: string }) => e.stdout + e.stderr,
    );
    return r;
  };

  /** Waits for every rollout of a step to complete. */
  const rolloutsDone = (id: string, step: 'trust' | 'cleanup', timeoutMs = 60_000) =>
    waitFor(
      `the ${step} rollout(s) completed`,
      async () => {
        const r = await rotation(id);
        const rollouts = r.steps.find((s) => s.id === step)!.rollouts ?? [];
        return rollouts.length > 0 && rollouts.every((x) => x.progress?.state === 'completed')
          ? r
          : undefined;
      },
      timeoutMs,
      250,
    );

  beforeAll(async () => {
    db = await createTestDatabase();
    [ports.http, ports.plain, ports.secure] = await freePorts(3);
    await seedSettings(db.url, {
      plain: { ...DEFAULT_WEBSOCKET_SETTINGS.plain, port: ports.plain, bindAddress: '127.0.0.1' },
      secure: { ...DEFAULT_WEBSOCKET_SETTINGS.secure, port: ports.secure, bindAddress: '127.0.0.1' },
    });
    central = startCentralProcess(env());
    await central.waitForOutput(/Switchyard central is running/, 60_000);
    api = new ApiClient(`http://127.0.0.1:${ports.http}/`);
    await api.login('admin', ADMIN_PASSWORD);
  }, 90_000);

  afterAll(async () => {
    await Promise.all([...agents.values()].map((a) => a.stop()));
    await central?.stop();
    await db?.drop();
  });

  it('stages, publishes the trust of both anchors, gates, activates and cleans up without stranding anyone', async () => {
    const started = Date.now();
    // The fleet enrolls over plain and the migration takes it to secure_only (ADR 12, 15).
    const { token } = await api.ok<{ token: string }>('POST', '/api/agents/enrollment-tokens', {
      expiresInMinutes: 10,
    });
    for (const id of ids) {
      const home = makeTempDir('sy-e2e-rot-agent-');
      homes.set(id, home);
      mkdirSync(join(home, 'conf', 'security'), { recursive: true });
      writeFileSync(
        join(home, 'conf', 'agent.conf'),
        agentConf(id, { port: ports.plain, securePort: ports.secure }),
      );
      agents.set(id, startTestAgent(home, { token }));
    }
    await waitFor(
      'every agent online over plain',
      async () => (await rows()).every((r) => r.status === 'online'),
      90_000,
      500,
    );
    expect((await api.call('POST', '/api/migration/advance', { to: 'dual', reason: 'e2e' })).status).toBe(
      200,
    );
    const secure = await api.call<{ pending: { rolloutId: string } }>('POST', '/api/migration/advance', {
      reason: 'e2e: publish the secure revision',
    });
    expect(secure.status).toBe(200);
    await waitFor(
      'the secure revision applied everywhere',
      async () =>
        (await api.ok<{ state: string }>('GET', `/api/rollouts/${secure.body.pending.rolloutId}`)).state ===
        'completed',
      60_000,
    );
    await waitFor(
      'every agent on wss',
      async () => (await rows()).every((r) => r.status === 'online' && r.transport === 'secure'),
      30_000,
    );
    const cut = await api.call<{ phase: string }>('POST', '/api/migration/advance', {
      reason: 'e2e: cut over',
    });
    expect(cut.body.phase).toBe('secure_only');
    const migrated = Date.now();

    // The truststore.jks the agents received trusts the self-signed certificate (a Java client agrees).
    const jks = join(homes.get(ids[0]!)!, 'conf', 'security', 'truststore.jks');
    expect(existsSync(jks)).toBe(true);
    const before = await javaTrusts(jks, 'java-before', token);
    expect(before).toContain('WELCOME');
    // It enrolled as an agent that reports no trust anchors: revoke it, or it is "known" and would block the gate.
    await api.ok('DELETE', '/api/agents/java-before');
    const oldCertificate = await presentedCertificate(ports.secure);
    const outputBefore = new Map(ids.map((id) => [id, agents.get(id)!.output.length]));

    // The operator's new CA and server certificate (the thin-edge.io openssl recipe).
    const chain = makeServerChain(temp, ['localhost', '127.0.0.1'], 'rotated');

    // Importing it directly is refused: every agent would be stranded.
    const direct = await api.upload<{ error: string; agents: Array<{ id: string }> }>(
      '/api/certificates/server/import',
      [
        { name: 'server.crt', bytes: Buffer.from(chain.leafPem) },
        { name: 'server.key', bytes: Buffer.from(chain.leafKeyPem) },
        { name: 'ca.crt', bytes: Buffer.from(chain.rootPem) },
      ],
    );
    expect(direct.status).toBe(409);
    expect(direct.body.agents.map((a) => a.id).sort()).toEqual(ids);

    // 1. stage: stored, not served.
    const staged = await api.upload<Rotation>(
      '/api/certificates/rotations',
      [
        { name: 'server.crt', bytes: Buffer.from(chain.leafPem) },
        { name: 'server.key', bytes: Buffer.from(chain.leafKeyPem) },
        { name: 'ca.crt', bytes: Buffer.from(chain.rootPem) },
      ],
      { reason: 'move to our own CA' },
    );
    expect(staged.status).toBe(201);
    const id = staged.body.id;
    expect(staged.body.phase).toBe('staged');
    expect(staged.body.gate).toMatchObject({ total: FLEET, trusting: 0, strandedCount: FLEET, ok: false });
    record(
      'POST /api/certificates/rotations (multipart: server.crt, server.key, ca.crt, reason)',
      staged.body,
    );
    expect((await presentedCertificate(ports.secure)).fingerprint256).toBe(oldCertificate.fingerprint256);
    // A second rotation waits for this one.
    const second = await api.upload<{ message: string }>(
      '/api/certificates/rotations',
      [{ name: 'server.crt', bytes: Buffer.from(chain.leafPem) }],
      { reason: 'again' },
    );
    expect(second.status).toBe(409);

    // 2. the revision trusting both anchors goes out by a rollout.
    const publishing = await api.call<Rotation>('POST', `/api/certificates/rotations/${id}/advance`, {
      reason: 'publish the trust of both anchors',
    });
    expect(publishing.status).toBe(200);
    expect(publishing.body.phase).toBe('trust_published');
    // Activation before the agents report the new anchor is refused, naming them.
    const refused = await api.call<{ error: string; agents: Array<{ id: string; reason: string }> }>(
      'POST',
      `/api/certificates/rotations/${id}/advance`,
      { reason: 'too early' },
    );
    expect(refused.status).toBe(409);
    expect(refused.body.error).toBe('would_strand_agents');
    record('advance before the agents report the new anchor (409)', refused.body);

    // 3. gate: every agent reports the new anchor.
    const published = await rolloutsDone(id, 'trust');
    expect(published.steps.find((s) => s.id === 'trust')!.rollouts![0]!.progress!.agents).toEqual({
      applied: FLEET,
    });
    await waitFor(
      'every agent reports the new anchor',
      async () => (await rotation(id)).gate?.ok === true,
      30_000,
      250,
    );
    record('GET /api/certificates/rotations/:id (trust published, gate open)', await rotation(id));
    await certmgr('certmgr -rotate-status (trust published)', ['-rotate-status']);

    // The truststore.jks trusting both anchors trusts the old certificate (a Java client agrees).
    const dual = await javaTrusts(jks, 'java-dual', token);
    expect(dual).toContain('WELCOME');
    await api.ok('DELETE', '/api/agents/java-dual');

    // 4. activate: the same apply path as an import; the guard passes by itself now.
    const activated = await api.call<Rotation>('POST', `/api/certificates/rotations/${id}/advance`, {
      reason: 'every agent trusts the new CA',
    });
    expect(activated.status).toBe(200);
    expect(activated.body.phase).toBe('activated');
    const activatedAt = Date.now();
    await waitFor(
      'the new certificate served',
      async () => (await presentedCertificate(ports.secure)).fingerprint256 === fingerprintOf(chain.leafPem),
    );
    record('activated', await rotation(id));

    // 5. clean-up: the old anchor leaves; each agent switches with a candidate that trusts only the new one.
    const cleaned = await api.call<Rotation>('POST', `/api/certificates/rotations/${id}/advance`, {
      reason: 'drop the self-signed anchor',
    });
    expect(cleaned.status).toBe(200);
    expect(cleaned.body.phase).toBe('completed');
    const done = await rolloutsDone(id, 'cleanup');
    record('completed', done);
    await certmgr('certmgr -rotate-status (completed)', ['-rotate-status']);
    expect(done.steps.map((s) => s.state)).toEqual(['done', 'done', 'done', 'done', 'done']);
    expect(done.history.map((h) => h.to)).toEqual(['staged', 'trust_published', 'activated', 'completed']);

    // Every agent's last handshake is against the new certificate (its truststore holds only the new CA).
    for (const id of ids) {
      const since = agents.get(id)!.output.slice(outputBefore.get(id)!);
      expect(since).toMatch(/candidate welcomed, committed profile default r\d+/);
      const store = readFileSync(join(homes.get(id)!, 'conf', 'security', 'truststore.jks'));
      expect(store.length).toBeGreaterThan(0);
      // No agent was offline longer than one reconnect.
      expect((since.match(/retrying in/g) ?? []).length).toBeLessThanOrEqual(1);
    }
    await waitFor('every agent online on wss', async () =>
      (await rows()).every((r) => r.status === 'online' && r.transport === 'secure'),
    );

    // The truststore.jks now published trusts the new certificate (a Java client agrees).
    const after = await javaTrusts(jks, 'java-after', token);
    expect(after).toContain('WELCOME');

    const audit = await api.ok<{ entries?: Array<{ action: string }> } | Array<{ action: string }>>(
      'GET',
      '/api/audit?limit=200&search=rotation',
    );
    const entries = Array.isArray(audit) ? audit : (audit.entries ?? []);
    expect(entries.filter((e) => e.action.startsWith('certificate rotation')).length).toBeGreaterThanOrEqual(
      4,
    );
    record(
      'timings',
      `fleet ${FLEET}: migration ${((migrated - started) / 1000).toFixed(1)} s, rotation ${((Date.now() - migrated) / 1000).toFixed(1)} s (activation to clean-up done ${((Date.now() - activatedAt) / 1000).toFixed(1)} s)`,
    );
  }, 180_000);
});
