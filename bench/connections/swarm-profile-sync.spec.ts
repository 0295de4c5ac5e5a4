import { createHash, randomBytes } from 'node:crypto';
import { createServer, type Server } from 'node:http';
import { type AddressInfo } from 'node:net';
import WebSocket from 'ws';
import { SwarmProfileSync } from './swarm-profile-sync.js';

const archive = randomBytes(4096);
const sha256 = createHash('sha256').update(archive).digest('hex');

/** Just what the handler uses of a socket: readyState and send. */
function fakeSocket(): { socket: WebSocket; sent: Array<Record<string, unknown>> } {
  const sent: Array<Record<string, unknown>> = [];
  const socket = { readyState: WebSocket.OPEN, send: (text: string) => sent.push(JSON.parse(text)) };
  return { socket: socket as unknown as WebSocket, sent };
}

const until = async (check: () => boolean) => {
  for (let i = 0; i < 200 && !check(); i++) await new Promise((r) => setTimeout(r, 10));
};

describe('SwarmProfileSync', () => {
  let server: Server;
  let port: number;
  let downloads = 0;

  beforeAll(async () => {
    server = createServer((req, res) => {
      downloads++;
      if (req.url === `/profiles/${sha256}.zip` && req.headers.authorization === 'Bearer cred-1')
        return res.writeHead(200, { 'content-length': archive.length }).end(archive); // as central answers
      res.writeHead(403).end();
    });
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    port = (server.address() as AddressInfo).port;
  });

  afterAll(async () => {
    server.closeAllConnections();
    await new Promise((r) => server.close(r));
  });

  const make = () =>
    new SwarmProfileSync({
      plainUrl: `ws://127.0.0.1:${port}`,
      secureUrl: `wss://127.0.0.1:1`,
      ca: '',
      concurrency: 2,
      timeoutMs: 5000,
    });
  const frame = (deliveryId: string) => ({
    type: 'profile.sync',
    deliveryId,
    profile: 'bench-rollout',
    revision: 2,
    sha256,
    sizeBytes: archive.length,
  });

  it('acks synchronizing, downloads, verifies, acks synchronized, and times it from the frame', async () => {
    const sync = make();
    const { socket, sent } = fakeSocket();
    const agent = { id: 'bench-agent-000001', credential: 'cred-1', transport: 'plain' as const };
    const arrivedAt = performance.now();
    sync.onFrame(agent, socket, frame('d-1'), arrivedAt);
    await until(() => sent.length === 2);
    expect(sent).toEqual([
      { type: 'profile.status', deliveryId: 'd-1', sha256, state: 'synchronizing' },
      { type: 'profile.status', deliveryId: 'd-1', sha256, state: 'synchronized' },
    ]);
    expect(sync.status()).toEqual({ received: 1, synchronized: 1, failed: 0 });
    const report = sync.report(0);
    expect(report.timings).toHaveLength(1);
    const t = report.timings[0];
    expect(t).toMatchObject({ agentId: agent.id, state: 'synchronized', bytes: archive.length, sha256 });
    expect(t.frameAt).toBeCloseTo(performance.timeOrigin + arrivedAt, 3);
    expect(t.doneMs).toBeGreaterThanOrEqual(t.queuedMs + t.downloadMs);

    // A re-sent frame for a finished delivery is answered from memory, without a second download.
    const before = downloads;
    sync.onFrame(agent, socket, frame('d-1'), performance.now());
    await until(() => sent.length === 3);
    expect(sent[2]).toMatchObject({ deliveryId: 'd-1', state: 'synchronized' });
    expect(downloads).toBe(before);
    expect(sync.report(0).repeated).toBe(1);

    // The same deliveryId for another agent (one rollout, many agents) is a delivery of its own.
    const other = { ...agent, id: 'bench-agent-000009' };
    sync.onFrame(other, socket, frame('d-1'), performance.now());
    await until(() => sent.length === 5);
    expect(downloads).toBe(before + 1);
    expect(sync.status()).toEqual({ received: 2, synchronized: 2, failed: 0 });
    sync.close();
  });

  it('reports a failed download with its reason, and counts invalid frames', async () => {
    const sync = make();
    const { socket, sent } = fakeSocket();
    const agent = { id: 'bench-agent-000002', credential: 'wrong', transport: 'plain' as const };
    sync.onFrame(agent, socket, frame('d-2'), performance.now());
    sync.onFrame(agent, socket, { ...frame('d-3'), sha256: 'nope' }, performance.now());
    await until(() => sent.length === 2);
    expect(sent[1]).toEqual({
      type: 'profile.status',
      deliveryId: 'd-2',
      sha256,
      state: 'failed',
      reason: 'HTTP 403',
    });
    const report = sync.report(0);
    expect(report.failures).toEqual({ 'HTTP 403': 1 });
    expect(Object.keys(report.invalid)).toEqual(['sha256: must be a lower-case hex sha256']);
    sync.mark();
    expect(sync.status()).toEqual({ received: 0, synchronized: 0, failed: 0 });
    sync.close();
  });
});
