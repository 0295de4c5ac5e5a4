// Issue 5's journey with real processes: one central and 20 real agents on plain — 15 modern, 3 legacy
// ones that report no `wss` capability (`--capabilities ""`), 2 offline when the rollout starts.
// plain_only → dual → secure_published (the migration prepares and publishes the secure revision; the
// 15 switch, the legacy ones are listed as unable) → secure_only refused naming exactly those 5 → the
// legacy agents move behind a real TLS connector and are exempted, the offline ones come back and switch
// → secure_only: plain answers on 127.0.0.1 only, the connector's agents stay online → rollback to dual.
import { X509Certificate } from 'node:crypto';
import { execFile } from 'node:child_process';
import { appendFileSync, mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { DEFAULT_WEBSOCKET_SETTINGS } from '../../apps/central/src/settings/websocket-settings.js';
import { writeJksTruststore } from '../../libs/keystore/index.js';
import { ApiClient } from '../support/api-client.js';
import { seedSettings } from '../support/in-process-central.js';
import { explainOnTimeout, freePorts, waitFor } from '../support/ports.js';
import {
  REPO_ROOT,
  type RunningProcess,
  startAgentProcess,
  startCentralProcess,
  startTestAgent,
} from '../support/processes.js';
import { tcpAccepts } from '../support/tls-probe.js';
import { createTestDatabase, makeTempDir, type TestDatabase } from '../support/test-database.js';

const ADMIN_PASSWORD = 'e2e-admin-password';
const MODERN = 15;
const LEGACY = 3;
const OFFLINE = 2;

interface AgentRow {
  id: string;
  status: string;
  transport: string | null;
  via: string | null;
  transportDisplay: string | null;
}
interface Status {
  phase: string;
  pending: { rolloutId: string } | null;
  breakdown: Record<
    'secure' | 'plainButAble' | 'plainNotAble' | 'offline' | 'exempt' | 'viaConnector',
    string[]
  >;
  stranded: Array<{ agentId: string; reasons: Array<{ code: string; message: string }> }>;
  history: Array<{ kind: string; from: string; to: string }>;
}
interface Rollout {
  id: string;
  state: string;
  agents: Array<{ agentId: string; state: string; reason: string | null }>;
}

const modern = (i: number) => `modern-${String(i + 1).padStart(2, '0')}`;
const legacy = (i: number) => `legacy-${i + 1}`;
const away = (i: number) => `away-${i + 1}`;

function agentConf(id: string, o: { host: string; port: number; securePort: number }): string {
  return [
    '# written by the e2e test',
    `central.host=${o.host}`,
    `central.websocket.port=${o.port}`,
    'central.websocket.secure=false',
    `central.websocket.secure.port=${o.securePort}`,
    `agent.id=${id}`,
    'jetty.jvm.args=-Xmx64m -Djavax.net.ssl.trustStore=conf/security/truststore.jks -Djavax.net.ssl.trustStorePassword=changeit -Djavax.net.ssl.trustStoreType=JKS',
    '',
  ].join('\n');
}

describe('e2e: the staged plain → secure migration with 20 real agents, a TLS connector and the gate', () => {
  let db: TestDatabase;
  let central: RunningProcess;
  let connector: RunningProcess | undefined;
  let api: ApiClient;
  const agents = new Map<string, RunningProcess>();
  const homes = new Map<string, string>();
  const ports = { http: 0, plain: 0, secure: 0, connector: 0 };
  const dataDir = join(makeTempDir('sy-e2e-migration-'), 'data');
  const env = () => ({
    SWITCHYARD_DATA_DIR: dataDir,
    SWITCHYARD_HTTP_PORT: String(ports.http),
    DATABASE_URL: db.url,
    SWITCHYARD_ADMIN_PASSWORD: ADMIN_PASSWORD,
    SWITCHYARD_HEARTBEAT_INTERVAL_MS: '1000',
  });
  const status = () => api.ok<Status>('GET', '/api/migration');
  const advance = (body: Record<string, unknown>) =>
    api.call<Status & { message: string; stranded: Status['stranded'] }>(
      'POST',
      '/api/migration/advance',
      body,
    );
  const row = (id: string) => api.ok<AgentRow>('GET', `/api/agents/${id}`);
  const rows = async (ids: string[]) => Promise.all(ids.map(row));
  const startAgent = (id: string, extra: string[] = []) => {
    agents.set(id, startTestAgent(homes.get(id)!, { args: extra }));
  };
  /** With SWITCHYARD_DOC_CAPTURE=FILE, the real `migrate` CLI output is kept for docs/migration.md. */
  const capture = async (title: string, args: string[]) => {
    const file = process.env.SWITCHYARD_DOC_CAPTURE;
    if (!file) return;
    const out = await new Promise<string>((resolve) =>
      execFile(
        process.execPath,
        [join(REPO_ROOT, 'dist/apps/central/src/migrate/main.js'), ...args],
        { env: { PATH: process.env.PATH, ...env() } },
        (error, stdout, stderr) => resolve(`${stdout}${stderr}exit ${error ? (error.code ?? 1) : 0}\n`),
      ),
    );
    appendFileSync(file, `\n### ${title}\n$ npm run migrate -- ${args.join(' ')}\n${out}`);
  };

  /** The API's real answers, kept the same way (`record(title, value)`). */
  const record = (title: string, value: unknown) => {
    const file = process.env.SWITCHYARD_DOC_CAPTURE;
    if (file)
      appendFileSync(
        file,
        `\n### ${title}\n${typeof value === 'string' ? value : JSON.stringify(value, null, 2)}\n`,
      );
  };

  const modernIds = Array.from({ length: MODERN }, (_, i) => modern(i));
  const legacyIds = Array.from({ length: LEGACY }, (_, i) => legacy(i));
  const awayIds = Array.from({ length: OFFLINE }, (_, i) => away(i));

  beforeAll(async () => {
    db = await createTestDatabase();
    [ports.http, ports.plain, ports.secure, ports.connector] = await freePorts(4);
    // plain on every interface, as in production, so "127.0.0.1 only" is observable from 127.0.0.2
    await seedSettings(db.url, {
      plain: { ...DEFAULT_WEBSOCKET_SETTINGS.plain, port: ports.plain, bindAddress: '0.0.0.0' },
      secure: { ...DEFAULT_WEBSOCKET_SETTINGS.secure, port: ports.secure, bindAddress: '127.0.0.1' },
    });
    central = startCentralProcess(env());
    await central.waitForOutput(/Switchyard central is running/, 60_000);
    api = new ApiClient(`http://127.0.0.1:${ports.http}/`);
    await api.login('admin', ADMIN_PASSWORD);
  }, 90_000);

  afterAll(async () => {
    await Promise.all([...agents.values()].map((a) => a.stop()));
    await connector?.stop();
    await central?.stop();
    await db?.drop();
  });

  it('walks plain_only → dual → secure_published → (refused) → secure_only → dual without stranding anyone', async () => {
    // 20 agents enroll over plain; the legacy ones report no capabilities.
    const { token } = await api.ok<{ token: string }>('POST', '/api/agents/enrollment-tokens', {
      expiresInMinutes: 10,
    });
    for (const id of [...modernIds, ...legacyIds, ...awayIds]) {
      const home = makeTempDir('sy-e2e-agent-');
      homes.set(id, home);
      mkdirSync(join(home, 'conf', 'security'), { recursive: true });
      writeFileSync(
        join(home, 'conf', 'agent.conf'),
        agentConf(id, { host: 'localhost', port: ports.plain, securePort: ports.secure }),
      );
      startAgent(id, ['--token', token, ...(legacyIds.includes(id) ? ['--capabilities', ''] : [])]);
    }
    const all = [...modernIds, ...legacyIds, ...awayIds];
    await waitFor(
      'every agent online over plain',
      async () => (await rows(all)).every((r) => r.status === 'online' && r.transport === 'plain'),
      60_000,
    );
    // Two of them are switched off before the migration starts (a clean goodbye: "offline"). Central
    // shows an agent online from its hello; the agent has its credential only once welcome arrived.
    for (const id of awayIds) {
      await agents.get(id)!.waitForOutput(/enrolled as/);
      await agents.get(id)!.stop();
    }
    await waitFor('the two away agents offline', async () =>
      (await rows(awayIds)).every((r) => r.status === 'offline'),
    );

    // plain_only → dual: the secure listener is bound live.
    const dual = await advance({ to: 'dual', reason: 'certificate checked, ports free' });
    expect(dual.status).toBe(200);
    expect(await tcpAccepts(ports.secure, '127.0.0.1')).toBe(true);

    // dual → secure_published: the migration prepares default with secure=true and starts the rollout.
    const started = await advance({ reason: 'publish the secure revision' });
    expect(started.status).toBe(200);
    const rolloutId = started.body.pending!.rolloutId;
    record('advance {"reason":"publish the secure revision"}', {
      phase: started.body.phase,
      pending: started.body.pending,
      preconditions: (started.body as unknown as { preconditions: unknown }).preconditions,
    });
    const waiting = await waitFor(
      'the 15 modern agents applied; the legacy ones need an upgrade',
      async () => {
        const r = await api.ok<Rollout>('GET', `/api/rollouts/${rolloutId}`);
        const by = (s: string) =>
          r.agents
            .filter((a) => a.state === s)
            .map((a) => a.agentId)
            .sort();
        return by('applied').length === MODERN && by('needs_upgrade').length === LEGACY ? r : undefined;
      },
      60_000,
    );
    const states = Object.fromEntries(waiting.agents.map((a) => [a.agentId, a.state]));
    for (const id of legacyIds) expect(states[id]).toBe('needs_upgrade');
    for (const id of awayIds) expect(states[id]).toBe('pending'); // offline: sent when they say hello
    await waitFor(
      'the 15 on wss',
      async () => (await rows(modernIds)).every((r) => r.status === 'online' && r.transport === 'secure'),
      30_000,
    );
    // The rollout waits for the away agents; the operator takes its state.
    expect((await status()).phase).toBe('dual');
    const accepted = await advance({ reason: 'two agents are away; the gate will name them', accept: true });
    expect(accepted.status).toBe(200);
    expect(accepted.body.phase).toBe('secure_published');
    record('rollout before accept', await api.ok('GET', `/api/rollouts/${rolloutId}`));

    // secure_only is refused with exactly the 5 that would be stranded, and why.
    await capture('secure_published, 5 would be stranded', ['status']);
    const refused = await advance({ reason: 'cut over' });
    expect(refused.status).toBe(409);
    record('advance refused', refused.body);
    expect(refused.body.stranded.map((s) => s.agentId).sort()).toEqual([...awayIds, ...legacyIds].sort());
    for (const s of refused.body.stranded) {
      const codes = s.reasons.map((r) => r.code);
      if (legacyIds.includes(s.agentId)) expect(codes).toEqual(['plain', 'cannot_wss', 'failed_apply']);
      else expect(codes).toContain('plain');
    }
    const before = await status();
    expect(before.breakdown.plainNotAble.sort()).toEqual(legacyIds);
    expect(before.breakdown.offline.sort()).toEqual(awayIds);
    expect(before.breakdown.secure).toHaveLength(MODERN);

    // The legacy agents move behind a TLS connector: plain to the connector, TLS to central.
    const chain = (await api.call<string>('GET', '/api/certificates/server/chain')).body;
    const truststore = join(makeTempDir('sy-e2e-connector-'), 'truststore.jks');
    writeFileSync(
      truststore,
      writeJksTruststore([{ alias: 'central', der: new X509Certificate(chain).raw }], 'changeit'),
    );
    connector = startAgentProcess([
      'connector',
      '--listen', `127.0.0.1:${ports.connector}`,
      '--central', `localhost:${ports.secure}`,
      '--truststore', truststore,
      '--name', 'lab-1',
    ]); // prettier-ignore
    await connector.waitForOutput(/listening on 127\.0\.0\.1:\d+/);
    for (const id of legacyIds) {
      writeFileSync(
        join(homes.get(id)!, 'conf', 'agent.conf'),
        agentConf(id, { host: '127.0.0.1', port: ports.connector, securePort: ports.secure }),
      );
    }
    await waitFor(
      'the legacy agents online through the connector',
      async () => (await rows(legacyIds)).every((r) => r.status === 'online' && r.via === 'connector/lab-1'),
      30_000,
    );
    expect(await row(legacyIds[0]!)).toMatchObject({
      transport: 'secure',
      transportDisplay: 'secure (via connector)',
    });
    record('agent behind the connector', await row(legacyIds[0]!));
    record('connector output', connector.output);
    const expiresAt = new Date(Date.now() + 30 * 86_400_000).toISOString();
    for (const id of legacyIds)
      await api.ok('POST', '/api/migration/exemptions', {
        agentId: id,
        reason: 'behind connector lab-1',
        expiresAt,
      });

    // The away agents come back, receive the pending publish and switch to wss by themselves.
    for (const id of awayIds) startAgent(id);
    await explainOnTimeout(
      () =>
        waitFor(
          'the away agents back and on wss',
          async () => (await rows(awayIds)).every((r) => r.status === 'online' && r.transport === 'secure'),
          60_000,
        ),
      async () => {
        const r = await api.ok<Rollout>('GET', `/api/rollouts/${rolloutId}`);
        const entries = r.agents.filter((a) => awayIds.includes(a.agentId));
        const logs = awayIds.map((id) => `--- ${id}\n${agents.get(id)!.output.slice(-3000)}`);
        const centralLines = central.output
          .split('\n')
          .filter((l) => /away-|rollout/i.test(l))
          .slice(-40);
        return [
          `rollout ${r.state}: ${JSON.stringify(entries)}`,
          ...logs,
          '--- central',
          ...centralLines,
        ].join('\n');
      },
    );
    const after = await status();
    expect(after.stranded).toEqual([]);
    expect(after.breakdown.exempt.sort()).toEqual(legacyIds);
    expect(after.breakdown.viaConnector.sort()).toEqual(legacyIds);
    await capture('everyone secure, exempt or behind the connector', ['status']);

    // secure_only: plain answers on 127.0.0.1 only; the connector's agents stay online.
    const cut = await advance({ reason: 'cut over: nobody stranded' });
    expect(cut.status).toBe(200);
    expect(cut.body.phase).toBe('secure_only');
    await waitFor('plain on 127.0.0.1 only', async () => !(await tcpAccepts(ports.plain, '127.0.0.2')));
    expect(await tcpAccepts(ports.plain, '127.0.0.1')).toBe(true);
    await new Promise((r) => setTimeout(r, 2000)); // two heartbeats
    const online = await rows(all);
    expect(online.filter((r) => r.status !== 'online').map((r) => r.id)).toEqual([]);
    for (const r of online) expect(r.transport).toBe('secure');
    expect((await rows(legacyIds)).every((r) => r.via === 'connector/lab-1')).toBe(true);
    await capture('secure_only', ['status']);

    // rollback to dual: plain on every interface again.
    const back = await api.call<Status>('POST', '/api/migration/rollback', {
      to: 'dual',
      reason: 'a branch needs plain for a day',
    });
    expect(back.status).toBe(200);
    expect(back.body.phase).toBe('dual');
    record('rollback', back.body);
    await waitFor('plain on every interface again', () => tcpAccepts(ports.plain, '127.0.0.2'));
    expect([...agents.values()].every((a) => a.child.exitCode === null)).toBe(true);
  }, 240_000);
});
