import { randomBytes } from 'node:crypto';
import { createServer, type Server } from 'node:https';
import type { AddressInfo } from 'node:net';
import type { TLSSocket } from 'node:tls';
import { WebSocketServer } from 'ws';
import type { Hello } from '../../../libs/protocol/index.js';
import { CentralConnection } from './central-connection.js';
import type { ConnectionTarget } from './connection-target.js';
import { Logger } from './logger.js';
import {
  createTestCa,
  issueServerCertificate,
  type TestCa,
  type TestServerIdentity,
} from './testing/test-certificates.js';
import { TlsSessionCache } from './tls-session-cache.js';

const hello: Hello = {
  type: 'hello',
  agentId: 'branch-9',
  agentVersion: '0.1.0',
  protocolVersion: 1,
  capabilities: ['wss'],
  profileSha256: null,
  transport: 'secure',
};

/** A wss server that welcomes every hello and records whether each handshake resumed a session. */
interface TestServer {
  port: number;
  resumed: boolean[];
  close(): Promise<void>;
}

async function serve(identity: TestServerIdentity, ticketKeys: Buffer, port = 0): Promise<TestServer> {
  const resumed: boolean[] = [];
  const server: Server = createServer({
    cert: identity.cert,
    key: identity.key,
    ticketKeys,
    sessionIdContext: 'tls-session-cache-spec',
    sessionTimeout: 3600,
  });
  const wss = new WebSocketServer({ server });
  wss.on('connection', (ws, req) => {
    resumed.push((req.socket as TLSSocket).isSessionReused());
    ws.on('message', () =>
      ws.send(
        JSON.stringify({
          type: 'welcome',
          agentId: hello.agentId,
          nodeId: 'n1',
          heartbeatIntervalMs: 30_000,
          desiredProfile: null,
        }),
      ),
    );
  });
  await new Promise<void>((resolve) => server.listen(port, '127.0.0.1', resolve));
  return {
    port: (server.address() as AddressInfo).port,
    resumed,
    close: () =>
      new Promise((resolve) => {
        for (const client of wss.clients) client.terminate();
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

describe('TlsSessionCache: the agent offers its last TLS session to the same target (real TLS)', () => {
  let ca: TestCa;
  let identity: TestServerIdentity;
  const servers: TestServer[] = [];
  const ticketKeys = randomBytes(48);
  const target = (port: number, caPems = [ca.pem]): ConnectionTarget => ({
    url: `wss://127.0.0.1:${port}/agent`,
    host: '127.0.0.1',
    port,
    secure: true,
    caPems,
  });
  /** One connection as the agent makes it; resolves with how it ended once welcomed (or not). */
  const connectOnce = async (cache: TlsSessionCache, to: ConnectionTarget) => {
    const connection = new CentralConnection({
      target: to,
      bearer: 'credential-secret',
      hello,
      logger: new Logger('error', () => {}),
      onWelcome: () => {},
      onCommand: (c) => ({ type: 'command.result', id: c.id, ok: false, output: 'no' }),
      tlsSessions: cache,
    });
    const welcomed = await Promise.race([
      new Promise<boolean>((resolve) => {
        const poll = setInterval(() => {
          if (connection.welcomed) {
            clearInterval(poll);
            resolve(true);
          }
        }, 10);
        void connection.ended.then(() => clearInterval(poll));
      }),
      connection.ended.then(() => false),
    ]);
    // TLS 1.3 tickets arrive after the handshake: give them a moment before the next connection.
    await new Promise((r) => setTimeout(r, 50));
    const end = await connection.stop('test over');
    return { welcomed, end };
  };

  beforeAll(async () => {
    ca = await createTestCa('Session cache test CA');
    identity = await issueServerCertificate(ca, ['127.0.0.1']);
  });
  afterEach(async () => {
    await Promise.all(servers.splice(0).map((s) => s.close()));
  });

  it('resumes the session at the next connection to the same target', async () => {
    const server = await serve(identity, ticketKeys);
    servers.push(server);
    const cache = new TlsSessionCache();
    expect((await connectOnce(cache, target(server.port))).welcomed).toBe(true);
    expect(cache.has(target(server.port))).toBe(true);
    expect((await connectOnce(cache, target(server.port))).welcomed).toBe(true);
    expect(server.resumed).toEqual([false, true]);
  });

  it('never offers it to another URL, nor under other trusted CAs', async () => {
    const first = await serve(identity, ticketKeys);
    const second = await serve(identity, ticketKeys); // could resume it: same keys and context
    servers.push(first, second);
    const cache = new TlsSessionCache();
    await connectOnce(cache, target(first.port));
    await connectOnce(cache, target(second.port));
    const other = await createTestCa('Another CA');
    await connectOnce(cache, target(first.port, [ca.pem, other.pem]));
    expect(second.resumed).toEqual([false]);
    expect(first.resumed).toEqual([false, false]);
  });

  it('drops the session when the target failed certificate verification', async () => {
    const trusted = await serve(identity, ticketKeys);
    const port = trusted.port;
    const cache = new TlsSessionCache();
    await connectOnce(cache, target(port));
    expect(cache.has(target(port))).toBe(true);
    await trusted.close();
    // Another server on the same address, with a certificate outside the truststore and its own keys.
    const stranger = await issueServerCertificate(await createTestCa('Stranger CA'), ['127.0.0.1']);
    servers.push(await serve(stranger, randomBytes(48), port));
    const { welcomed, end } = await connectOnce(cache, target(port));
    expect(welcomed).toBe(false);
    expect(end.trustFailure).toBe(true);
    expect(cache.has(target(port))).toBe(false);
  });
});
