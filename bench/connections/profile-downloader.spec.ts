import { createHash, randomBytes } from 'node:crypto';
import { createServer, type Server, type ServerResponse } from 'node:http';
import { type AddressInfo } from 'node:net';
import { ProfileDownloader } from './profile-downloader.js';

const archive = randomBytes(50 * 1024);
const sha256 = createHash('sha256').update(archive).digest('hex');
/** As central answers a download: with its length. */
const ok = (res: ServerResponse, body: Buffer) =>
  res.writeHead(200, { 'content-length': body.length }).end(body);

describe('ProfileDownloader', () => {
  let server: Server;
  let baseUrl: string;
  let inFlight = 0;
  let mostInFlight = 0;
  const sockets = new Set<unknown>();
  const seen: Array<{ url: string; auth: string | undefined; agent: string | undefined }> = [];

  beforeAll(async () => {
    server = createServer((req, res) => {
      sockets.add(req.socket);
      seen.push({
        url: req.url!,
        auth: req.headers.authorization,
        agent: req.headers['x-switchyard-agent-id'] as string,
      });
      mostInFlight = Math.max(mostInFlight, ++inFlight);
      setTimeout(() => {
        inFlight--;
        if (req.headers.authorization !== 'Bearer good') return res.writeHead(401).end();
        if (req.url === `/profiles/${sha256}.zip` && req.headers['x-switchyard-agent-id'] === 'corrupted') {
          const copy = Buffer.from(archive);
          copy[copy.length - 1] ^= 1;
          return ok(res, copy);
        }
        if (req.url === `/profiles/${sha256}.zip`) return ok(res, archive);
        if (req.url === `/profiles/${'0'.repeat(64)}.zip`) return ok(res, archive);
        res.writeHead(404).end();
      }, 10);
    });
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    baseUrl = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  });

  afterAll(async () => {
    server.closeAllConnections();
    await new Promise((r) => server.close(r));
  });

  const request = (over: Partial<Parameters<ProfileDownloader['download']>[0]> = {}) => ({
    agentId: 'bench-agent-000001',
    credential: 'good',
    sha256,
    sizeBytes: archive.length,
    ...over,
  });

  it('fetches with the agent headers, verifies, and keeps to its concurrency over kept-alive sockets', async () => {
    const downloader = new ProfileDownloader({ baseUrl, concurrency: 3, timeoutMs: 5000 });
    sockets.clear();
    mostInFlight = 0;
    const results = await Promise.all(Array.from({ length: 20 }, () => downloader.download(request())));
    downloader.close();
    expect(results.every((r) => r.ok && r.bytes === archive.length)).toBe(true);
    expect(mostInFlight).toBe(3);
    expect(sockets.size).toBeLessThanOrEqual(3);
    expect(seen.at(-1)).toEqual({
      url: `/profiles/${sha256}.zip`,
      auth: 'Bearer good',
      agent: 'bench-agent-000001',
    });
    expect(Math.max(...results.map((r) => r.queuedMs))).toBeGreaterThan(0);
  });

  it('names what went wrong', async () => {
    const downloader = new ProfileDownloader({ baseUrl, concurrency: 2, timeoutMs: 5000 });
    const reason = async (over: Parameters<typeof request>[0]) => {
      const r = await downloader.download(request(over));
      return r.ok ? 'ok' : r.reason;
    };
    expect(await reason({ credential: 'bad' })).toBe('HTTP 401');
    expect(await reason({ sha256: 'f'.repeat(64) })).toBe('HTTP 404');
    expect(await reason({ sha256: '0'.repeat(64) })).toBe('sha256 mismatch');
    expect(await reason({ sizeBytes: 10 })).toBe(`size ${archive.length} ≠ announced 10`);
    downloader.close();
    // The first copy was hashed; this one is compared with it, and one flipped bit is caught either way.
    const verified = new ProfileDownloader({ baseUrl, concurrency: 1, timeoutMs: 5000 });
    expect(await verified.download(request())).toMatchObject({ ok: true, bytes: archive.length });
    expect(await verified.download(request({ agentId: 'corrupted' }))).toMatchObject({
      ok: false,
      reason: 'sha256 mismatch',
    });
    expect(await verified.download(request())).toMatchObject({ ok: true });
    verified.close();
    const first = new ProfileDownloader({ baseUrl, concurrency: 1, timeoutMs: 5000 });
    expect(await first.download(request({ agentId: 'corrupted' }))).toMatchObject({
      ok: false,
      reason: 'sha256 mismatch',
    });
    first.close();
    const refused = new ProfileDownloader({ baseUrl: 'http://127.0.0.1:1', concurrency: 1, timeoutMs: 5000 });
    expect(await refused.download(request())).toMatchObject({ ok: false, reason: 'ECONNREFUSED' });
    refused.close();
  });
});
