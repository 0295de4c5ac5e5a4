import { connect, type Socket } from 'node:net';
import { connect as tlsConnect } from 'node:tls';
import { startTestCentral, type TestCentral } from '../support/in-process-central.js';
import { RawAgent } from '../support/raw-agent.js';
import { createTestDatabase, type TestDatabase } from '../support/test-database.js';

/** The raw HTTP answer to an upgrade on /agent (the response head and body as sent). */
function upgrade(port: number, agentId: string, secret: string): Promise<string> {
  return new Promise((resolve) => {
    const s = connect(port, '127.0.0.1', () =>
      s.write(
        `GET /agent HTTP/1.1\r\nHost: x\r\nUpgrade: websocket\r\nConnection: Upgrade\r\nSec-WebSocket-Version: 13\r\nSec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\nX-Switchyard-Agent-Id: ${agentId}\r\nAuthorization: Bearer ${secret}\r\n\r\n`,
      ),
    );
    let data = '';
    s.on('data', (d) => {
      data += d.toString();
      if (data.startsWith('HTTP/1.1 101')) s.destroy(); // admitted: not what these checks wait for
    });
    s.on('close', () => resolve(data));
    s.on('error', () => resolve(data));
  });
}

const retryAfter = (response: string) => Number(/^Retry-After: (\d+)\r$/m.exec(response)?.[1]);

describe('agent admission: a busy central and a full descriptor budget answer 503 + Retry-After early (ADR 26)', () => {
  let db: TestDatabase;
  let c: TestCentral;
  let token: string;
  let url: string;
  const held: RawAgent[] = [];

  beforeAll(async () => {
    db = await createTestDatabase();
    c = await startTestCentral(db.url, {
      env: { SWITCHYARD_MAX_CONCURRENT_HELLOS: '1', SWITCHYARD_MAX_AGENT_CONNECTIONS: '6' },
    });
    url = `ws://127.0.0.1:${c.ports.plain}/agent`;
    token = (
      await c.api.ok<{ token: string }>('POST', '/api/agents/enrollment-tokens', { expiresInMinutes: 30 })
    ).token;
  });
  afterAll(async () => {
    for (const agent of held) agent.socket.terminate();
    await c?.stop();
    await db?.drop();
  });

  it('holds one upgrade + hello at a time, queues four, and refuses the next at once with Retry-After', async () => {
    // Upgraded but silent: it holds the only place until it says hello (or its hello timeout).
    const first = new RawAgent({ url, agentId: 'busy-0', secret: token });
    held.push(first);
    await first.opened;
    const queued = [1, 2, 3, 4].map((i) => upgrade(c.ports.plain, `busy-${i}`, token));
    await new Promise((r) => setTimeout(r, 200));
    const started = Date.now();
    const refused = await upgrade(c.ports.plain, 'busy-5', token);
    expect(refused).toMatch(/^HTTP\/1\.1 503 Service Unavailable\r\n/);
    expect(refused).toContain('central is busy');
    expect(retryAfter(refused)).toBeGreaterThanOrEqual(1);
    expect(retryAfter(refused)).toBeLessThanOrEqual(5);
    expect(Date.now() - started).toBeLessThan(3000); // refused early, not after the 10 s hello wait (load margin)
    // The silent one says hello and is welcomed: the place passes on, and the queue drains.
    first.hello();
    await first.welcome();
    const answers = await Promise.all(queued);
    expect(answers.filter((a) => a.startsWith('HTTP/1.1 101'))).toHaveLength(4);
    first.socket.terminate();
  });

  it('refuses agent connections past the descriptor budget, while the admin API keeps answering', async () => {
    await new Promise((r) => setTimeout(r, 300)); // the sockets of the test above are closed by now
    const credentials = new Map<string, string>();
    for (let i = 0; i < 6; i++) {
      const agent = await RawAgent.connect({ url, agentId: `fd-${i}`, secret: token });
      const welcome = await agent.welcome(); // already here: connect waited for it
      credentials.set(`fd-${i}`, welcome.credential as string);
      held.push(agent);
    }
    const refused = await upgrade(c.ports.plain, 'fd-6', token);
    expect(refused).toMatch(/^HTTP\/1\.1 503 Service Unavailable\r\n/);
    expect(refused).toContain('all the agent connections it can');
    expect(retryAfter(refused)).toBeGreaterThanOrEqual(5);
    expect(await c.api.ok('GET', '/api/health')).toMatchObject({ status: 'ok' });
    const metrics = await (await fetch(new URL('/metrics', c.central.adminUrl))).text();
    expect(metrics).toMatch(/^switchyard_agent_connections_refused_total\{reason="descriptors"\} [1-9]/m);
    expect(metrics).toMatch(/^switchyard_agent_connections_refused_total\{reason="busy"\} [1-9]/m);
    expect(metrics).toMatch(/^switchyard_agent_sockets\{kind="budget"\} 6$/m);
    // One leaves: there is room again.
    held.pop()!.socket.terminate();
    await new Promise((r) => setTimeout(r, 200));
    const again = await RawAgent.connect({ url, agentId: 'fd-5', secret: credentials.get('fd-5')! });
    held.push(again);
    expect((await again.welcome()).type).toBe('welcome');
  });
});

/** Whether the server closed a raw TCP connection within `ms`. */
function closedWithin(socket: Socket, ms: number): Promise<'closed' | 'still open'> {
  return new Promise((resolve) => {
    const timer = setTimeout(() => resolve('still open'), ms);
    socket.once('close', () => {
      clearTimeout(timer);
      resolve('closed');
    });
  });
}

describe('handshake shedding: a secure listener starts no more TLS handshakes than upgrades it can take (issue 15)', () => {
  let db: TestDatabase;
  let c: TestCentral;

  beforeAll(async () => {
    db = await createTestDatabase();
    c = await startTestCentral(db.url, { env: { SWITCHYARD_MAX_CONCURRENT_HELLOS: '2' } });
    await c.api.ok('PUT', '/api/settings/websocket', { secure: { enabled: true } });
  });
  afterAll(async () => {
    await c?.stop();
    await db?.drop();
  });

  const tcp = (): Promise<Socket> =>
    new Promise((resolve, reject) => {
      const s = connect(c.ports.secure, '127.0.0.1', () => resolve(s));
      s.on('error', reject);
    });

  it('closes a connection before TLS while two handshakes are pending, and takes one again when they end', async () => {
    // Two clients that connect and never send their ClientHello hold both handshake places.
    const silent = [await tcp(), await tcp()];
    silent.forEach((s) => s.on('error', () => undefined));
    await new Promise((r) => setTimeout(r, 100));
    const third = await tcp();
    third.on('error', () => undefined);
    expect(await closedWithin(third, 2000)).toBe('closed');
    const metrics = await (await fetch(new URL('/metrics', c.central.adminUrl))).text();
    expect(metrics).toMatch(/^switchyard_agent_connections_refused_total\{reason="handshakes"\} [1-9]/m);

    // The places free up: a real TLS client completes its handshake.
    silent.forEach((s) => s.destroy());
    await new Promise((r) => setTimeout(r, 200));
    const tls = tlsConnect({ host: '127.0.0.1', port: c.ports.secure, rejectUnauthorized: false });
    await new Promise<void>((resolve, reject) => {
      tls.once('secureConnect', resolve);
      tls.once('error', reject);
    });
    expect(tls.getProtocol()).toMatch(/^TLSv1\.[23]$/);
    tls.destroy();
  });
});
