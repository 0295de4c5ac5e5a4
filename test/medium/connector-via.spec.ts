// An agent behind the agent's TLS connector, as central sees it: the connector's X-Switchyard-Via header
// is recorded with the session, shown in GET /api/agents, and counted by the secure_only gate as
// secure-capable through the connector (still listed, so the operator decides about an exemption).
import { Logger } from '../../apps/agent/src/logger.js';
import { TlsConnector } from '../../apps/agent/src/connector/tls-connector.js';
import { startTestCentral, type TestCentral } from '../support/in-process-central.js';
import { waitFor } from '../support/ports.js';
import { RawAgent } from '../support/raw-agent.js';
import { createTestDatabase, type TestDatabase } from '../support/test-database.js';

interface Agent {
  id: string;
  status: string;
  transport: string | null;
  via: string | null;
  transportDisplay: string | null;
}
interface Status {
  stranded: Array<{ agentId: string; reasons: Array<{ code: string }> }>;
  breakdown: Record<string, string[]>;
}

describe('agents through the TLS connector (real connector, real TLS, real PostgreSQL)', () => {
  let db: TestDatabase;
  let c: TestCentral;
  let token: string;
  let connector: TlsConnector;
  let connectorPort: number;
  const agents: RawAgent[] = [];
  const lines: string[] = [];

  const agent = (id: string) => c.api.ok<Agent>('GET', `/api/agents/${id}`);
  const connect = async (
    url: string,
    id: string,
    extra: Record<string, unknown>,
    ca?: string,
    headers?: Record<string, string>,
  ) => {
    const a = new RawAgent({ url, agentId: id, secret: token, ca, headers });
    await a.opened;
    a.hello('plain', extra);
    await a.welcome();
    agents.push(a);
    return a;
  };

  beforeAll(async () => {
    db = await createTestDatabase();
    c = await startTestCentral(db.url, { heartbeatMs: 1000 });
    expect(
      (await c.api.call('POST', '/api/migration/advance', { to: 'dual', reason: 'secure on' })).status,
    ).toBe(200);
    token = (await c.api.ok<{ token: string }>('POST', '/api/agents/enrollment-tokens', { maxUses: 100 }))
      .token;
    const ca = (await c.api.call<string>('GET', '/api/certificates/server/chain')).body;
    connector = new TlsConnector(
      {
        listen: { host: '127.0.0.1', port: 0 },
        central: { host: 'localhost', port: c.ports.secure },
        caPems: [ca],
        truststorePath: '(test)',
        clientCertPem: undefined,
        clientKeyPem: undefined,
        hostHeader: undefined,
        name: 'branch-7',
        maxConnections: 16,
      },
      new Logger('info', (l) => lines.push(l)),
    );
    connectorPort = (await connector.start()).port;
  });
  afterAll(async () => {
    for (const a of agents) a.socket.terminate();
    await connector?.stop(100);
    await c?.stop();
    await db?.drop();
  });

  it('a legacy agent (plain, no wss) behind the connector is shown secure (via connector) and passes the gate', async () => {
    // the device speaks plain ws to the connector, which does the TLS to central's secure listener
    await connect(`ws://127.0.0.1:${connectorPort}/agent`, 'legacy-1', { capabilities: [] });
    expect(await agent('legacy-1')).toMatchObject({
      status: 'online',
      transport: 'secure',
      via: 'connector/branch-7',
      transportDisplay: 'secure (via connector)',
    });
    const listed = await c.api.ok<Agent[]>('GET', '/api/agents');
    expect(listed.find((a) => a.id === 'legacy-1')).toMatchObject({ via: 'connector/branch-7' });

    // a legacy agent connected directly over plain is the one the gate stops for
    await connect(`ws://127.0.0.1:${c.ports.plain}/agent`, 'legacy-2', { capabilities: [] });
    const s = await c.api.ok<Status>('GET', '/api/migration');
    expect(s.breakdown).toMatchObject({
      secure: ['legacy-1'],
      plainNotAble: ['legacy-2'],
      viaConnector: ['legacy-1'],
    });
    expect(s.stranded.map((x) => x.agentId)).toEqual(['legacy-2']);
    expect(s.stranded[0]!.reasons.map((r) => r.code)).toContain('cannot_wss');
  });

  it('only a TLS session can be "via connector": a plain upgrade claiming the header is recorded as plain, and a direct reconnect clears it', async () => {
    await connect(`ws://127.0.0.1:${c.ports.plain}/agent`, 'spoof', {}, undefined, {
      'x-switchyard-via': 'connector/fake',
    });
    expect(await agent('spoof')).toMatchObject({ transport: 'plain', via: null, transportDisplay: 'plain' });

    const first = agents.find((a) => a.options.agentId === 'legacy-1')!;
    first.socket.close();
    await first.closed;
    await waitFor('legacy-1 offline', async () => (await agent('legacy-1')).status !== 'online');
    // the connector logs each connection with its outcome when it ends
    await waitFor('the connector logged the connection', async () =>
      lines.some((l) => /connection 1 from 127\.0\.0\.1:\d+: closed after/.test(l)),
    );
    await connect(`ws://127.0.0.1:${c.ports.plain}/agent`, 'legacy-1', { capabilities: [] });
    expect(await agent('legacy-1')).toMatchObject({ transport: 'plain', via: null });
  });
});
