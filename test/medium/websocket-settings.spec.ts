import { createServer, type Server } from 'node:net';
import { DEFAULT_WEBSOCKET_SETTINGS } from '../../apps/central/src/settings/websocket-settings.js';
import { CloseCode } from '../../libs/protocol/index.js';
import { startTestCentral, seedSettings, type TestCentral } from '../support/in-process-central.js';
import { freePort, freePorts, waitFor } from '../support/ports.js';
import { RawAgent } from '../support/raw-agent.js';
import { presentedCertificate, tcpAccepts } from '../support/tls-probe.js';
import { createTestDatabase, type TestDatabase } from '../support/test-database.js';

interface Settings {
  version: number;
  value: typeof DEFAULT_WEBSOCKET_SETTINGS;
}
interface NodeListeners {
  nodeId: string;
  listeners: Array<{ kind: string; address: string; port: number; tls: boolean; connections: number }>;
}

describe('WebSocket Server Settings, applied live (real PostgreSQL, real sockets, real TLS)', () => {
  let db: TestDatabase;
  let c: TestCentral;
  let token: string;

  const settings = () => c.api.ok<Settings>('GET', '/api/settings/websocket');
  const bound = async () => (await c.api.ok<NodeListeners[]>('GET', '/api/listeners'))[0].listeners;

  beforeAll(async () => {
    db = await createTestDatabase();
    // plain on all interfaces, as in production, so the localhost fallback is observable
    const [plain, secure] = await freePorts(2);
    await seedSettings(db.url, {
      plain: { ...DEFAULT_WEBSOCKET_SETTINGS.plain, port: plain },
      secure: { ...DEFAULT_WEBSOCKET_SETTINGS.secure, port: secure, bindAddress: '127.0.0.1' },
    });
    c = await startTestCentral(db.url, { heartbeatMs: 1000 });
    token = (await c.api.ok<{ token: string }>('POST', '/api/agents/enrollment-tokens', {})).token;
  });
  afterAll(async () => {
    await c?.stop();
    await db?.drop();
  });

  it('refuses invalid input with 400 naming each bad field, and applies nothing', async () => {
    const before = await settings();
    const r = await c.api.call<{ issues: Array<{ field: string }> }>('PUT', '/api/settings/websocket', {
      plain: { port: 0, bindAddress: 'everywhere' },
      secure: { port: 'x', clientAuth: 'sometimes', minTlsVersion: 'SSLv3' },
      colour: 'blue',
    });
    expect(r.status).toBe(400);
    expect(r.body.issues.map((i) => i.field).sort()).toEqual(
      [
        'body',
        'plain.bindAddress',
        'plain.port',
        'secure.clientAuth',
        'secure.minTlsVersion',
        'secure.port',
      ].sort(),
    );
    const clash = await c.api.call<{ issues: Array<{ field: string; message: string }> }>(
      'PUT',
      '/api/settings/websocket',
      {
        secure: { port: before.value.plain.port },
      },
    );
    expect(clash.status).toBe(400);
    expect(clash.body.issues[0]).toMatchObject({ field: 'secure.port' });
    const admin = await c.api.call<{ issues: Array<{ field: string }> }>('PUT', '/api/settings/websocket', {
      plain: { port: c.ports.http },
    });
    expect(admin.status).toBe(400);
    expect((await settings()).version).toBe(before.version);
  });

  it('enables the secure listener live with the self-signed ECDSA certificate', async () => {
    const before = await settings();
    const after = await c.api.ok<Settings>('PUT', '/api/settings/websocket', { secure: { enabled: true } });
    expect(after.version).toBe(before.version + 1);
    const cert = await presentedCertificate(after.value.secure.port);
    const active = await c.api.ok<{ fingerprintSha256: string; keyType: string; selfSigned: boolean }>(
      'GET',
      '/api/certificates/server',
    );
    expect(cert.fingerprint256).toBe(active.fingerprintSha256);
    expect(active).toMatchObject({ keyType: 'EC P-256', selfSigned: true });
    expect(await bound()).toEqual(
      expect.arrayContaining([
        expect.objectContaining({
          kind: 'secure',
          port: after.value.secure.port,
          tls: true,
          address: '127.0.0.1',
        }),
        expect.objectContaining({
          kind: 'plain',
          port: after.value.plain.port,
          tls: false,
          address: '0.0.0.0',
        }),
      ]),
    );
    const chain = await c.api.call<string>('GET', '/api/certificates/server/chain');
    const agent = await RawAgent.connect(
      {
        url: `wss://127.0.0.1:${after.value.secure.port}/agent`,
        agentId: 'secure-1',
        secret: token,
        ca: chain.body,
      },
      'secure',
    );
    const row = await c.api.ok<{ transport: string }>('GET', '/api/agents/secure-1');
    expect(row.transport).toBe('secure');
    agent.socket.close();
  });

  it('moves the plain listener to a new port without a restart (agents on the old port count as stranded)', async () => {
    const before = await settings();
    const agent = await RawAgent.connect({
      url: `ws://127.0.0.1:${before.value.plain.port}/agent`,
      agentId: 'mover',
      secret: token,
    });
    const newPort = await freePort();
    const refused = await c.api.call('PUT', '/api/settings/websocket', { plain: { port: newPort } });
    expect(refused.status).toBe(409);
    await c.api.ok('PUT', '/api/settings/websocket', { plain: { port: newPort }, force: true });
    expect((await agent.closed).code).toBe(CloseCode.GOING_AWAY);
    expect(await tcpAccepts(before.value.plain.port, '127.0.0.1')).toBe(false);
    await RawAgent.connect({ url: `ws://127.0.0.1:${newPort}/agent`, agentId: 'mover2', secret: token }).then(
      (a) => a.socket.close(),
    );
  });

  it('keeps the running listener when the new port is taken (409, nothing stored)', async () => {
    const blocker: Server = createServer();
    const taken = await freePort();
    await new Promise<void>((r) => blocker.listen(taken, '127.0.0.1', () => r()));
    try {
      const before = await settings();
      const r = await c.api.call<{ error: string; message: string }>('PUT', '/api/settings/websocket', {
        secure: { port: taken },
      });
      expect(r.status).toBe(409);
      expect(r.body.error).toBe('listener_failed');
      expect(r.body.message).toContain(`port ${taken}`);
      expect((await settings()).version).toBe(before.version);
      expect((await presentedCertificate(before.value.secure.port)).fingerprint256).toBeTruthy();
    } finally {
      blocker.close();
    }
  });

  it('refuses (409, listing them) to disable plain while remote agents use it, unless forced; then falls back to 127.0.0.1', async () => {
    const { value } = await settings();
    const port = value.plain.port;
    // "remote" dials 127.0.0.2 (another address of this machine); "local" dials 127.0.0.1 and keeps working
    const remote = await RawAgent.connect({
      url: `ws://127.0.0.2:${port}/agent`,
      agentId: 'remote-agent',
      secret: token,
    });
    const local = await RawAgent.connect({
      url: `ws://127.0.0.1:${port}/agent`,
      agentId: 'local-agent',
      secret: token,
    });
    const refused = await c.api.call<{ error: string; agents: Array<{ id: string }> }>(
      'PUT',
      '/api/settings/websocket',
      {
        plain: { enabled: false },
      },
    );
    expect(refused.status).toBe(409);
    expect(refused.body.error).toBe('would_strand_agents');
    expect(refused.body.agents.map((a) => a.id)).toEqual(['remote-agent']);
    expect((await settings()).value.plain.enabled).toBe(true);

    await c.api.ok('PUT', '/api/settings/websocket', { plain: { enabled: false }, force: true });
    await remote.closed;
    await local.closed;
    expect(await bound()).toEqual(
      expect.arrayContaining([expect.objectContaining({ kind: 'plain', address: '127.0.0.1', port })]),
    );
    expect(await tcpAccepts(port, '127.0.0.1')).toBe(true);
    expect(await tcpAccepts(port, '127.0.0.2')).toBe(false);
    await RawAgent.connect({
      url: `ws://127.0.0.1:${port}/agent`,
      agentId: 'local-agent',
      secret: local.frames[0].credential as string,
    }).then((a) => a.socket.close());
    const audit = await c.api.ok<
      Array<{ action: string; outcome: string; details: { body: { force?: boolean } } }>
    >('GET', '/api/audit?search=settings');
    expect(audit.some((a) => a.outcome === 'success' && a.details.body.force === true)).toBe(true);
    expect(audit.some((a) => a.outcome === 'refused')).toBe(true);
  });

  it('closes plain entirely when the localhost fallback is off, and reopens it on all interfaces', async () => {
    const { value } = await settings();
    await c.api.ok('PUT', '/api/settings/websocket', { plain: { localhostFallback: false } });
    expect((await bound()).some((l) => l.kind === 'plain')).toBe(false);
    expect(await tcpAccepts(value.plain.port, '127.0.0.1')).toBe(false);
    await c.api.ok('PUT', '/api/settings/websocket', { plain: { enabled: true, localhostFallback: true } });
    await waitFor('plain back on all interfaces', async () => tcpAccepts(value.plain.port, '127.0.0.2'));
  });
});
