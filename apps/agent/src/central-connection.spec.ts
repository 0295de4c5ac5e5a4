import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { writeJksTruststore } from '../../../libs/keystore/index.js';
import type { Hello, Welcome } from '../../../libs/protocol/index.js';
import { AgentHome } from './agent-home.js';
import { CentralConnection, type CentralConnectionOptions } from './central-connection.js';
import { Logger } from './logger.js';
import { FakeCentral } from './testing/fake-central.js';
import { createTestCa, issueServerCertificate, type TestCa } from './testing/test-certificates.js';
import { loadTrustedCaPems } from './trust.js';

const hello: Hello = {
  type: 'hello',
  agentId: 'branch-7',
  agentVersion: '0.1.0',
  protocolVersion: 1,
  capabilities: ['wss'],
  profileSha256: null,
  transport: 'plain',
};

describe('CentralConnection over real sockets', () => {
  const centrals: FakeCentral[] = [];
  let lines: string[];
  const start = async (options: Parameters<typeof FakeCentral.start>[0] = {}) => {
    const central = await FakeCentral.start(options);
    centrals.push(central);
    return central;
  };
  const connect = (central: FakeCentral, overrides: Partial<CentralConnectionOptions> = {}) =>
    new CentralConnection({
      target: {
        url: `ws://127.0.0.1:${central.port}/agent`,
        host: '127.0.0.1',
        port: central.port,
        secure: false,
      },
      bearer: 'credential-secret',
      hello,
      logger: new Logger('debug', (line) => lines.push(line)),
      onWelcome: () => {},
      onCommand: (c) => ({ type: 'command.result', id: c.id, ok: false, output: 'not supported yet' }),
      ...overrides,
    });

  beforeEach(() => {
    lines = [];
  });
  afterEach(async () => {
    await Promise.all(centrals.splice(0).map((c) => c.close()));
  });

  it('sends the credential and agent id headers, then hello; hands over the welcome; answers commands', async () => {
    const central = await start({ onSession: () => {} });
    const welcomes: Welcome[] = [];
    const connection = connect(central, { onWelcome: (w) => welcomes.push(w) });
    const session = await central.session(0);
    expect(session.headers.authorization).toBe('Bearer credential-secret');
    expect(session.headers['x-switchyard-agent-id']).toBe('branch-7');
    expect(await session.frame('hello')).toEqual(hello);

    session.send({ type: 'config.push', anything: true }); // a newer central's frame: ignored
    session.send({ type: 'command', id: 'c1', name: 'restart' });
    await new Promise((r) => setTimeout(r, 50));
    expect(session.frames.some((f) => f.type === 'command.result')).toBe(false); // not before welcome

    session.welcome();
    session.send({ type: 'command', id: 'c2', name: 'restart' });
    expect(await session.frame('command.result')).toEqual({
      type: 'command.result',
      id: 'c2',
      ok: false,
      output: 'not supported yet',
    });
    expect(welcomes).toHaveLength(1);
    expect(welcomes[0].nodeId).toBe('central-1');
    expect(lines.join('\n')).toMatch(
      /WARN {2}ignoring a frame from central: unknown frame type "config.push"/,
    );

    const end = await connection.stop();
    expect(await session.frame('goodbye')).toEqual({ type: 'goodbye', reason: 'agent stopping' });
    expect((await session.closed).code).toBe(1000);
    expect(end).toMatchObject({ closeCode: 1000, description: 'agent stopping' });
    expect(end.welcome?.nodeId).toBe('central-1');
  });

  it('closes with 1007 when central sends an invalid frame', async () => {
    const central = await start({ onSession: () => {} });
    const connection = connect(central);
    const session = await central.session(0);
    await session.frame('hello');
    session.send({ type: 'welcome', agentId: 'branch-7' });
    const end = await connection.ended;
    expect((await session.closed).code).toBe(1007);
    expect(end.welcome).toBeUndefined();
    expect(end.description).toMatch(/^central sent an invalid frame: welcome: nodeId: /);
  });

  it('answers a profile.sync it refuses (sizeBytes over its limit) with profile.status failed and stays connected', async () => {
    const central = await start();
    const connection = connect(central);
    const session = await central.session(0);
    await session.frame('hello');
    await new Promise((r) => setTimeout(r, 50)); // welcome is on its way
    const sha256 = 'a'.repeat(64);
    const sync = { type: 'profile.sync', deliveryId: 'd-1', profile: 'p', revision: 2, sha256 };
    session.send({ ...sync, sizeBytes: 99_999_999 });
    expect(await session.frame('profile.status')).toEqual({
      type: 'profile.status',
      deliveryId: 'd-1',
      sha256,
      state: 'failed',
      reason: expect.stringMatching(/^the agent refused profile\.sync: profile\.sync: sizeBytes: /),
    });
    session.send({ type: 'command', id: 'c3', name: 'status.report' });
    await session.frame('command.result'); // still connected and answering
    expect(connection.usable).toBe(true);
    expect(lines.join('\n')).toMatch(
      /WARN {2}the agent refused profile\.sync: .*; answered profile\.status failed/,
    );

    // a profile frame that does not even name its delivery cannot be answered: closed as before
    session.send({ type: 'profile.sync', sizeBytes: 1 });
    expect((await session.closed).code).toBe(1007);
    await connection.ended;
  });

  it('survives an oversized frame: logs it and ends with 1009', async () => {
    const central = await start();
    const connection = connect(central);
    const session = await central.session(0);
    await session.frame('hello');
    session.send('x'.repeat(70 * 1024));
    const end = await connection.ended;
    expect(end.description).toBe('central sent a frame over 64 KiB; closed with 1009');
    expect((await session.closed).code).toBe(1009);
    expect(lines.join('\n')).toMatch(/WARN {2}connection to central: Max payload size exceeded/);
  });

  it('reports a refused upgrade with its HTTP status', async () => {
    const central = await start({ refuse: () => 401 });
    const end = await connect(central).ended;
    expect(end).toMatchObject({ httpStatus: 401, description: 'central refused the credential (HTTP 401)' });
  });

  it('reads why central refused the upgrade from the body of its answer', async () => {
    const central = await start({
      refuse: () => ({ status: 409, body: JSON.stringify({ error: 'agent id already enrolled' }) }),
    });
    const end = await connect(central).ended;
    expect(end).toMatchObject({
      httpStatus: 409,
      refusalReason: 'agent id already enrolled',
      description: 'central refused the connection (HTTP 409 Refused): agent id already enrolled',
    });
  });

  it('reports a closed port in plain words', async () => {
    const central = await start();
    const port = central.port;
    await central.close();
    centrals.pop();
    const end = await new CentralConnection({
      target: { url: `ws://127.0.0.1:${port}/agent`, host: '127.0.0.1', port, secure: false },
      bearer: 'x',
      hello,
      logger: new Logger('debug', (l) => lines.push(l)),
      onWelcome: () => {},
      onCommand: () => ({ type: 'command.result', id: 'x', ok: false }),
    }).ended;
    expect(end.description).toBe(`connection refused by 127.0.0.1:${port}`);
  });

  it('takes pings as heartbeats, and ends with "lost heartbeat from central" after 2.5 silent intervals', async () => {
    let lastPing = 0;
    const central = await start({
      onSession: (session) =>
        void session.frame('hello').then(() => {
          session.welcome({ heartbeatIntervalMs: 1000 });
          const timer = setInterval(() => {
            session.socket.ping();
            lastPing = Date.now();
          }, 400);
          setTimeout(() => clearInterval(timer), 2800); // longer than 2.5 intervals: pings kept it alive
        }),
    });
    const began = Date.now();
    const end = await connect(central).ended;
    expect(end.description).toBe('lost heartbeat from central');
    expect(end.welcome).toBeDefined();
    expect(lastPing - began).toBeGreaterThan(2000); // alive well past 2.5 intervals thanks to the pings
    expect(Date.now() - lastPing).toBeGreaterThanOrEqual(2400);
    expect(Date.now() - lastPing).toBeLessThan(3500);
  });

  describe('wss', () => {
    let trusted: TestCa;
    let other: TestCa;
    let dir: string;
    beforeAll(async () => {
      [trusted, other] = await Promise.all([
        createTestCa('Test Central CA'),
        createTestCa('Somebody Else CA'),
      ]);
    });
    beforeEach(() => {
      dir = mkdtempSync(join(tmpdir(), 'agent-trust-'));
      writeFileSync(
        join(dir, 'truststore.jks'),
        writeJksTruststore([{ alias: 'central-ca', der: trusted.der }], 'changeit'),
      );
    });
    afterEach(() => rmSync(dir, { recursive: true, force: true }));

    const secureTarget = (port: number) => ({
      url: `wss://localhost:${port}/agent`,
      host: 'localhost',
      port,
      secure: true,
      caPems: loadTrustedCaPems(
        { path: 'truststore.jks', password: 'changeit', type: 'jks' },
        new AgentHome(dir),
      ),
    });

    it('connects when the server certificate chains to a CA of the truststore', async () => {
      const central = await start({ tls: await issueServerCertificate(trusted, ['localhost']) });
      const connection = connect(central, { target: secureTarget(central.port) });
      const session = await central.session(0);
      await session.frame('hello');
      await new Promise((r) => setTimeout(r, 50));
      const end = await connection.stop();
      expect(end.welcome?.nodeId).toBe('central-1');
    });

    it('refuses a certificate from a CA outside the truststore, with a readable reason', async () => {
      const central = await start({ tls: await issueServerCertificate(other, ['localhost']) });
      const end = await connect(central, { target: secureTarget(central.port) }).ended;
      expect(end.description).toBe(
        'certificate not trusted: unable to get local issuer certificate (UNABLE_TO_GET_ISSUER_CERT_LOCALLY)',
      );
      expect(central.upgrades).toHaveLength(0); // no HTTP request, let alone credentials, was sent
    });

    it('refuses a trusted certificate issued for another host name', async () => {
      const central = await start({ tls: await issueServerCertificate(trusted, ['central.example']) });
      const end = await connect(central, { target: secureTarget(central.port) }).ended;
      expect(end.description).toMatch(
        /^certificate does not match localhost: Host: localhost\. is not in the cert's altnames: DNS:central\.example \(ERR_TLS_CERT_ALTNAME_INVALID\)$/,
      );
    });

    it('explains wss against a plain port', async () => {
      const central = await start();
      const end = await connect(central, { target: secureTarget(central.port) }).ended;
      expect(end.description).toMatch(/^TLS handshake with localhost:\d+ failed: .*wrong version number/);
    });

    it('never connects securely without trusted CAs, nor with a plain URL', async () => {
      const end = await connect(centrals[0] ?? (await start()), {
        target: { url: 'wss://localhost:1/agent', host: 'localhost', port: 1, secure: true, caPems: [] },
      }).ended;
      expect(end.description).toBe('cannot connect to wss://localhost:1/agent: no trusted CA for wss');
      const downgraded = await connect(centrals[0], {
        target: { url: 'ws://localhost:1/agent', host: 'localhost', port: 1, secure: true, caPems: ['x'] },
      }).ended;
      expect(downgraded.description).toMatch(/does not match the configured transport/);
    });
  });
});
