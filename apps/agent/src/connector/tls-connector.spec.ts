import { X509Certificate } from 'node:crypto';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createServer as createHttpsServer, type Server as HttpsServer } from 'node:https';
import { connect, createServer as createTcpServer, type AddressInfo, type Socket } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { writeJksTruststore } from '../../../../libs/keystore/index.js';
import { generateSelfSignedServerCertificate } from '../../../../libs/pki/index.js';
import { Logger } from '../logger.js';
import { parseConnectorOptions, type ConnectorOptions } from './connector-options.js';
import { TlsConnector } from './tls-connector.js';

type Identity = Awaited<ReturnType<typeof generateSelfSignedServerCertificate>>;

/** A stand-in for central's secure listener: answers upgrades with 101 and echoes what follows. */
async function fakeCentral(identity: Identity, requestCert = false) {
  const seen: Array<{ headers: Record<string, unknown>; peerSubject: string | undefined }> = [];
  const server: HttpsServer = createHttpsServer({
    cert: identity.certificatePem,
    key: identity.privateKeyPem,
    requestCert,
    rejectUnauthorized: false,
  });
  server.on('upgrade', (req, socket: Socket) => {
    const peer = (req.socket as import('node:tls').TLSSocket).getPeerCertificate();
    seen.push({ headers: req.headers, peerSubject: [peer?.subject?.CN].flat()[0] });
    socket.write('HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n\r\n');
    socket.on('data', (d) => socket.write(d));
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', () => r()));
  return { server, seen, port: (server.address() as AddressInfo).port };
}

/** A device without TLS: sends an upgrade request, then `payload`, and collects what comes back. */
function legacyDevice(port: number, payload: string, host = 'legacy.local') {
  return new Promise<string>((resolve) => {
    const socket = connect(port, '127.0.0.1');
    let received = '';
    let sent = false;
    socket.on('connect', () =>
      socket.write(
        `GET /agent HTTP/1.1\r\nHost: ${host}\r\nUpgrade: websocket\r\nConnection: Upgrade\r\nX-Switchyard-Via: spoofed\r\n\r\n`,
      ),
    );
    socket.on('data', (d) => {
      received += d.toString();
      if (!sent && received.includes('\r\n\r\n') && received.startsWith('HTTP/1.1 101')) {
        sent = true;
        socket.write(payload);
      }
      const answered = received.startsWith('HTTP/1.1 101')
        ? received.endsWith(payload)
        : received.includes('\r\n\r\n');
      if (answered) setTimeout(() => socket.destroy(), 50);
    });
    socket.on('close', () => resolve(received));
    socket.on('error', () => undefined);
  });
}

describe('TLS connector (real TLS server behind it)', () => {
  const dir = mkdtempSync(join(tmpdir(), 'sy-connector-'));
  let central: Identity;
  let stranger: Identity;
  let client: Identity;
  const lines: string[] = [];
  const log = new Logger('debug', (l) => lines.push(l));
  const running: TlsConnector[] = [];

  const truststore = (identity: Identity, name: string) => {
    const der = new X509Certificate(identity.certificatePem).raw;
    const path = join(dir, name);
    writeFileSync(path, writeJksTruststore([{ alias: 'central', der }], 'changeit'));
    return path;
  };
  const options = (
    centralPort: number,
    extra: string[] = [],
    store = 'trusts-central.jks',
  ): ConnectorOptions => {
    const parsed = parseConnectorOptions([
      '--listen', '127.0.0.1:8787', // replaced by port 0 below
      '--central', `localhost:${centralPort}`,
      '--truststore', join(dir, store),
      '--name', 'branch-7',
      ...extra,
    ]); // prettier-ignore
    if (parsed.kind !== 'run') throw new Error(JSON.stringify(parsed));
    return { ...parsed.options, listen: { host: '127.0.0.1', port: 0 } };
  };
  const startConnector = async (o: ConnectorOptions) => {
    const c = new TlsConnector(o, log);
    const a = await c.start();
    running.push(c);
    return a.port;
  };

  beforeAll(async () => {
    central = await generateSelfSignedServerCertificate({
      hosts: ['localhost', '127.0.0.1'],
      validityDays: 2,
    });
    stranger = await generateSelfSignedServerCertificate({ hosts: ['localhost'], validityDays: 2 });
    client = await generateSelfSignedServerCertificate({ hosts: ['legacy-device-1'], validityDays: 2 });
    truststore(central, 'trusts-central.jks');
    truststore(stranger, 'trusts-stranger.jks');
    writeFileSync(join(dir, 'client.crt'), client.certificatePem);
    writeFileSync(join(dir, 'client.key'), client.privateKeyPem);
  });
  afterEach(async () => {
    for (const c of running.splice(0)) await c.stop(100);
  });
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('forwards bytes both ways over verified TLS, rewriting Host and adding the via header', async () => {
    const fake = await fakeCentral(central);
    const port = await startConnector(options(fake.port, ['--host-header', 'central.example:9150']));
    const received = await legacyDevice(port, 'frame-bytes-0123456789');
    expect(received.startsWith('HTTP/1.1 101')).toBe(true);
    expect(received.endsWith('frame-bytes-0123456789')).toBe(true);
    expect(fake.seen).toHaveLength(1);
    expect(fake.seen[0]!.headers.host).toBe('central.example:9150');
    expect(fake.seen[0]!.headers['x-switchyard-via']).toBe('connector/branch-7');
    await new Promise((r) => setTimeout(r, 100));
    expect(lines.join('\n')).toMatch(
      /connection \d+ from 127\.0\.0\.1:\d+: closed after [\d.]+ s, \d+ bytes to central, \d+ bytes to the device/,
    );
    fake.server.close();
  });

  it('keeps the Host header when not asked to rewrite it', async () => {
    const fake = await fakeCentral(central);
    const port = await startConnector(options(fake.port));
    await legacyDevice(port, 'x', 'kept.example');
    expect(fake.seen[0]!.headers.host).toBe('kept.example');
    fake.server.close();
  });

  it('refuses a central its truststore does not trust: 502 to the device, reason logged, nothing forwarded', async () => {
    const fake = await fakeCentral(central);
    lines.length = 0;
    const port = await startConnector(options(fake.port, [], 'trusts-stranger.jks'));
    const received = await legacyDevice(port, 'secret');
    expect(received).toMatch(/^HTTP\/1\.1 502 Bad Gateway/);
    expect(received).toMatch(/certificate not trusted/);
    expect(fake.seen).toHaveLength(0);
    expect(lines.join('\n')).toMatch(
      /ERROR .*connection \d+ .*TLS to central failed: certificate not trusted/,
    );
    fake.server.close();
  });

  it('never falls back to plaintext: a plain server at the central address sees no request bytes', async () => {
    const raw: Buffer[] = [];
    const plain = createTcpServer((s) => {
      s.on('data', (d) => raw.push(d));
      s.on('error', () => undefined);
      setTimeout(() => s.end('HTTP/1.1 200 OK\r\n\r\n'), 50);
    });
    await new Promise<void>((r) => plain.listen(0, '127.0.0.1', () => r()));
    const port = await startConnector(options((plain.address() as AddressInfo).port));
    const received = await legacyDevice(port, 'secret');
    expect(received).toMatch(/^HTTP\/1\.1 502/);
    const seen = Buffer.concat(raw).toString('latin1');
    expect(seen).not.toContain('GET /agent');
    expect(seen).not.toContain('legacy.local');
    plain.close();
  });

  it('presents the client certificate when configured (mutual TLS)', async () => {
    const fake = await fakeCentral(central, true);
    const port = await startConnector(
      options(fake.port, ['--client-cert', join(dir, 'client.crt'), '--client-key', join(dir, 'client.key')]),
    );
    await legacyDevice(port, 'x');
    expect(fake.seen[0]!.peerSubject).toBe('legacy-device-1');
    fake.server.close();
  });

  it('validates its flags with clear messages', () => {
    const err = (argv: string[]) => {
      const r = parseConnectorOptions(argv);
      return r.kind === 'error' ? r.message : r.kind;
    };
    expect(err([])).toBe('missing --listen, --central, --truststore');
    expect(err(['--listen', '127.0.0.1', '--central', 'c:9150', '--truststore', 'x'])).toMatch(
      /--listen must be HOST:PORT/,
    );
    const base = [
      '--listen',
      '127.0.0.1:8787',
      '--central',
      'c:9150',
      '--truststore',
      join(dir, 'trusts-central.jks'),
    ];
    expect(err([...base, '--type', 'PEM'])).toMatch(/--type must be JKS or PKCS12/);
    expect(err([...base, '--password', 'wrong'])).toMatch(/--truststore .*password/);
    expect(err([...base, '--client-cert', join(dir, 'client.crt')])).toMatch(/go together/);
    writeFileSync(join(dir, 'other.key'), central.privateKeyPem);
    expect(
      err([...base, '--client-cert', join(dir, 'client.crt'), '--client-key', join(dir, 'other.key')]),
    ).toMatch(/does not match/);
    expect(err([...base, '--bogus'])).toBe('unknown option --bogus');
    expect(err([...base, '--max-connections', '0'])).toMatch(/--max-connections/);
    expect(err(base)).toBe('run');
  });
});
