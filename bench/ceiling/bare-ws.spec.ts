import { createHash } from 'node:crypto';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { type TLSSocket } from 'node:tls';
import WebSocket from 'ws';
import { AGENT_PATH, PROFILE_DOWNLOAD_PATH } from '../../libs/protocol/index.js';
import { serveBare, type BareServer } from './bare-ws.js';
import { makeTlsFixture, type TlsFixture } from './tls-fixture.js';

describe('the bare ws ceiling server', () => {
  let dir: string;
  let tls: TlsFixture;
  let server: BareServer;

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'sy-bare-ws-'));
    tls = makeTlsFixture(dir);
    server = await serveBare({ tls, host: '127.0.0.1', port: 0, heartbeatIntervalMs: 15_000 });
  });
  afterAll(async () => {
    await server?.close();
    rmSync(dir, { recursive: true, force: true });
  });

  const connect = () => {
    // what the swarm passes for wss (swarm-agent.ts)
    const tlsOptions = { ca: tls.certPem, servername: 'localhost' };
    return new WebSocket(`wss://127.0.0.1:${server.port}${AGENT_PATH}`, {
      headers: { authorization: 'Bearer whatever' },
      ...tlsOptions,
    });
  };

  it('welcomes a hello over TLS 1.3 with an ECDSA P-256 certificate, as central does', async () => {
    const ws = connect();
    await new Promise((resolve, reject) => {
      ws.once('open', resolve);
      ws.once('error', reject);
    });
    const socket = (ws as unknown as { _socket: TLSSocket })._socket;
    expect(socket.getProtocol()).toBe('TLSv1.3');
    const cert = socket.getPeerX509Certificate()!;
    expect(cert.publicKey.asymmetricKeyType).toBe('ec');
    expect(cert.publicKey.asymmetricKeyDetails?.namedCurve).toBe('prime256v1');
    const welcome = new Promise<Record<string, unknown>>((resolve) =>
      ws.once('message', (data) => resolve(JSON.parse(data.toString()) as Record<string, unknown>)),
    );
    ws.send(JSON.stringify({ type: 'hello', agentId: 'bench-agent-000001' }));
    expect(await welcome).toEqual({
      type: 'welcome',
      agentId: 'bench-agent-000001',
      nodeId: 'bare-ws',
      heartbeatIntervalMs: 15_000,
      desiredProfile: null,
    });
    expect(server.sessions()).toBe(1);
    ws.close();
  });

  it('closes every session with "going away" when it stops, so agents reconnect', async () => {
    const ws = connect();
    await new Promise((resolve) => ws.once('open', resolve));
    const closed = new Promise<number>((resolve) => ws.once('close', (code) => resolve(code)));
    await server.close();
    expect(await closed).toBe(1001);
    expect(server.sessions()).toBe(0);
  });

  it('shares its port with a second process-like server (reusePort), as the bench runs several', async () => {
    const first = await serveBare({ tls, host: '127.0.0.1', port: 0, heartbeatIntervalMs: 15_000 });
    const second = await serveBare({ tls, host: '127.0.0.1', port: first.port, heartbeatIntervalMs: 15_000 });
    try {
      expect(second.port).toBe(first.port);
    } finally {
      await Promise.all([first.close(), second.close()]);
    }
  });

  it('serves an archive and pushes profile.sync to every session at once (the rollout ceiling)', async () => {
    const bytes = Buffer.from('not really a zip, but bytes with a sha256');
    const sha256 = createHash('sha256').update(bytes).digest('hex');
    const file = join(dir, 'archive.zip');
    writeFileSync(file, bytes);
    const pusher = await serveBare({
      host: '127.0.0.1',
      port: 0,
      heartbeatIntervalMs: 15_000,
      archive: { file, sha256 },
    });
    const sockets = [0, 1, 2].map(() => new WebSocket(`ws://127.0.0.1:${pusher.port}${AGENT_PATH}`));
    try {
      await Promise.all(sockets.map((ws) => new Promise((resolve) => ws.once('open', resolve))));
      const frames = sockets.map(
        (ws) =>
          new Promise<Record<string, unknown>>((resolve) =>
            ws.once('message', (data) => resolve(JSON.parse(data.toString()) as Record<string, unknown>)),
          ),
      );
      const frame = {
        type: 'profile.sync' as const,
        deliveryId: 'bare-push',
        profile: 'bench',
        revision: 1,
        sha256,
        sizeBytes: bytes.length,
      };
      expect(pusher.push(frame)).toBe(3);
      expect(await Promise.all(frames)).toEqual([frame, frame, frame]);

      const base = `http://127.0.0.1:${pusher.port}`;
      const got = await fetch(`${base}${PROFILE_DOWNLOAD_PATH}${sha256}.zip`);
      expect(got.status).toBe(200);
      expect(got.headers.get('content-length')).toBe(String(bytes.length));
      expect(Buffer.from(await got.arrayBuffer()).equals(bytes)).toBe(true);
      const other = await fetch(`${base}${PROFILE_DOWNLOAD_PATH}${'0'.repeat(64)}.zip`);
      expect(other.status).toBe(404);
      await other.arrayBuffer();
    } finally {
      for (const ws of sockets) ws.close();
      await pusher.close();
    }
  });
});
