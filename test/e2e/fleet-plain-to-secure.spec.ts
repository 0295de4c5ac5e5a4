import { X509Certificate } from 'node:crypto';
import { mkdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { networkInterfaces } from 'node:os';
import { join } from 'node:path';
import { DEFAULT_WEBSOCKET_SETTINGS } from '../../apps/central/src/settings/websocket-settings.js';
import { writeJksTruststore } from '../../libs/keystore/index.js';
import { CloseCode, MAX_FRAME_BYTES } from '../../libs/protocol/index.js';
import { ApiClient } from '../support/api-client.js';
import { seedSettings } from '../support/in-process-central.js';
import { freePorts, waitFor } from '../support/ports.js';
import { type RunningProcess, startCentralProcess, startTestAgent } from '../support/processes.js';
import { RawAgent } from '../support/raw-agent.js';
import { tcpAccepts } from '../support/tls-probe.js';
import { createTestDatabase, makeTempDir, type TestDatabase } from '../support/test-database.js';

const ADMIN_PASSWORD = 'e2e-admin-password';

interface AgentRow {
  id: string;
  status: string;
  transport: string | null;
  connectedAt: string | null;
  nodeId: string | null;
}

function agentConf(o: { plainPort: number; securePort: number; secure: boolean }): string {
  return [
    '# written by the e2e test',
    'central.host=127.0.0.1',
    `central.websocket.port=${o.plainPort}`,
    `central.websocket.secure=${o.secure}`,
    `central.websocket.secure.port=${o.securePort}`,
    'agent.id=branch-7.kiosk-1',
    'jetty.jvm.args=-Xmx64m -Djavax.net.ssl.trustStore=conf/security/truststore.jks -Djavax.net.ssl.trustStorePassword=changeit -Djavax.net.ssl.trustStoreType=JKS',
    '',
  ].join('\n');
}

/** A non-loopback IPv4 address of this machine, if it has one (to show plain no longer answers there). */
function externalAddress(): string | undefined {
  return Object.values(networkInterfaces())
    .flat()
    .find((i) => i && i.family === 'IPv4' && !i.internal)?.address;
}

describe('e2e: enroll, plain, enable secure live, switch the agent to wss, close plain to the outside', () => {
  let db: TestDatabase;
  let central: RunningProcess;
  let agent: RunningProcess | undefined;
  let api: ApiClient;
  const ports = { http: 0, plain: 0, secure: 0 };
  const dataDir = join(makeTempDir('sy-e2e-'), 'data');
  const home = makeTempDir('sy-agent-');
  const env = () => ({
    SWITCHYARD_DATA_DIR: dataDir,
    SWITCHYARD_HTTP_PORT: String(ports.http),
    DATABASE_URL: db.url,
    SWITCHYARD_ADMIN_PASSWORD: ADMIN_PASSWORD,
    SWITCHYARD_HEARTBEAT_INTERVAL_MS: '1000',
  });
  const row = () => api.ok<AgentRow>('GET', '/api/agents/branch-7.kiosk-1');
  const status = () =>
    JSON.parse(readFileSync(join(home, 'state', 'status.json'), 'utf8')) as Record<string, unknown>;

  beforeAll(async () => {
    db = await createTestDatabase();
    [ports.http, ports.plain, ports.secure] = await freePorts(3);
    await seedSettings(db.url, {
      plain: { ...DEFAULT_WEBSOCKET_SETTINGS.plain, port: ports.plain },
      secure: { ...DEFAULT_WEBSOCKET_SETTINGS.secure, port: ports.secure },
    });
    central = startCentralProcess(env());
    await central.waitForOutput(/Switchyard central is running/, 60_000);
    api = new ApiClient(`http://127.0.0.1:${ports.http}/`);
    await api.login('admin', ADMIN_PASSWORD);
  }, 90_000);

  afterAll(async () => {
    await agent?.stop();
    await central?.stop();
    await db?.drop();
  });

  it('runs the whole journey', async () => {
    // 1. enroll over plain
    const { token } = await api.ok<{ token: string }>('POST', '/api/agents/enrollment-tokens', {
      expiresInMinutes: 10,
    });
    mkdirSync(join(home, 'conf', 'security'), { recursive: true });
    writeFileSync(
      join(home, 'conf', 'agent.conf'),
      agentConf({ plainPort: ports.plain, securePort: ports.secure, secure: false }),
    );
    agent = startTestAgent(home, { token });
    await waitFor('agent online over plain', async () => {
      const r = await api.call<AgentRow>('GET', '/api/agents/branch-7.kiosk-1');
      return r.status === 200 && r.body.status === 'online' && r.body.transport === 'plain';
    });
    // central shows "online" at hello, a moment before the agent has stored the credential from welcome
    await waitFor('agent connected', async () => status().state === 'connected');
    expect(statSync(join(home, 'state', 'credential')).mode & 0o777).toBe(0o600);
    expect(agent.output).not.toContain(token);

    // 2. enable secure live; the plain session is not disturbed
    const before = await row();
    await api.ok('PUT', '/api/settings/websocket', { secure: { enabled: true } });
    await waitFor('secure listener bound', async () => {
      const nodes = await api.ok<Array<{ listeners: Array<{ kind: string; port: number }> }>>(
        'GET',
        '/api/listeners',
      );
      return nodes[0].listeners.some((l) => l.kind === 'secure' && l.port === ports.secure);
    });
    expect((await row()).connectedAt).toBe(before.connectedAt);

    // 3. switch the agent to wss by editing its agent.conf, with central's certificate in its JKS truststore
    const chain = (await api.call<string>('GET', '/api/certificates/server/chain')).body;
    const der = new X509Certificate(chain).raw;
    writeFileSync(
      join(home, 'conf', 'security', 'truststore.jks'),
      writeJksTruststore([{ alias: 'central', der }], 'changeit'),
    );
    writeFileSync(
      join(home, 'conf', 'agent.conf'),
      agentConf({ plainPort: ports.plain, securePort: ports.secure, secure: true }),
    );
    await waitFor(
      'agent online over secure',
      async () => {
        const r = await row();
        return r.status === 'online' && r.transport === 'secure';
      },
      20_000,
    );
    // Central records the session at hello; the agent writes its status when the welcome arrives.
    await waitFor('agent status connected over secure', async () => {
      const s = status();
      return s.state === 'connected' && s.transport === 'secure';
    });
    expect(agent.output).toMatch(/connected via wss/);

    // 4. a bad frame and an oversized frame from other connections do not disturb the agent
    const connected = (await row()).connectedAt;
    const url = `ws://127.0.0.1:${ports.plain}/agent`;
    const junk = await RawAgent.connect({ url, agentId: 'junk-sender', secret: token });
    junk.send('this is not json');
    expect((await junk.closed).code).toBe(CloseCode.INVALID_PAYLOAD);
    const huge = await RawAgent.connect({ url, agentId: 'huge-sender', secret: token });
    huge.send({ type: 'goodbye', reason: 'x'.repeat(MAX_FRAME_BYTES * 2) });
    expect((await huge.closed).code).toBe(CloseCode.MESSAGE_TOO_BIG);
    await new Promise((r) => setTimeout(r, 1500)); // one heartbeat
    expect(await row()).toMatchObject({ status: 'online', transport: 'secure', connectedAt: connected });
    expect(central.child.exitCode).toBeNull();

    // 5. disable plain: it now answers on 127.0.0.1 only
    await api.ok('PUT', '/api/settings/websocket', { plain: { enabled: false } });
    const nodes = await api.ok<Array<{ listeners: Array<{ kind: string; address: string; port: number }> }>>(
      'GET',
      '/api/listeners',
    );
    expect(nodes[0].listeners).toEqual(
      expect.arrayContaining([
        expect.objectContaining({ kind: 'plain', address: '127.0.0.1', port: ports.plain }),
      ]),
    );
    expect(await tcpAccepts(ports.plain, '127.0.0.1')).toBe(true);
    expect(await tcpAccepts(ports.plain, '127.0.0.2')).toBe(false);
    const outside = externalAddress();
    if (outside) expect(await tcpAccepts(ports.plain, outside)).toBe(false);
    expect(await row()).toMatchObject({ status: 'online', transport: 'secure', connectedAt: connected });

    // 6. central crashes; after its restart the agent is not left "online" on the dead node
    await agent.stop('SIGKILL');
    await central.stop('SIGKILL');
    central = startCentralProcess(env());
    await central.waitForOutput(/Switchyard central is running/, 60_000);
    api = new ApiClient(`http://127.0.0.1:${ports.http}/`);
    await api.login('admin', ADMIN_PASSWORD);
    expect((await row()).status).toBe('disconnected');

    // 7. the agent comes back by itself with its stored credential, over wss
    agent = startTestAgent(home);
    await waitFor(
      'agent back online over secure',
      async () => {
        const r = await row();
        return r.status === 'online' && r.transport === 'secure';
      },
      20_000,
    );
    expect(await agent.stop('SIGTERM')).toBe(0);
    await waitFor('agent offline after its goodbye', async () => (await row()).status === 'offline');
  }, 180_000);
});
