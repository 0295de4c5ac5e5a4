import { randomBytes } from 'node:crypto';
import { createServer as createHttpsServer } from 'node:https';
import { createServer, type AddressInfo, type Server, type Socket } from 'node:net';
import { generateSelfSignedServerCertificate } from '../../libs/pki/index.js';
import { KeepAlivePool, type GetRequest } from './keep-alive-pool.js';

/**
 * A raw TCP server: each request (read up to the blank line) is answered by `answer`, which writes
 * whatever bytes it wants, so split heads, early closes and silence can be staged exactly.
 */
async function rawServer(answer: (socket: Socket, request: string, n: number) => void) {
  const connections: Socket[] = [];
  let requests = 0;
  const server: Server = createServer((socket) => {
    connections.push(socket);
    let pending = '';
    socket.on('data', (data) => {
      pending += data.toString('latin1');
      for (let end = pending.indexOf('\r\n\r\n'); end >= 0; end = pending.indexOf('\r\n\r\n')) {
        const request = pending.slice(0, end);
        pending = pending.slice(end + 4);
        answer(socket, request, ++requests);
      }
    });
    socket.on('error', () => undefined);
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  return {
    baseUrl: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    connections,
    close: async () => {
      for (const s of connections) s.destroy();
      await new Promise((r) => server.close(r));
    },
  };
}

const collect = (maxBytes = 1 << 20) => {
  const chunks: Buffer[] = [];
  const request: GetRequest = {
    path: '/profiles/x.zip',
    headers: { authorization: 'Bearer secret', 'x-agent': 'a1' },
    maxBytes,
    onBody: (chunk) => chunks.push(Buffer.from(chunk)),
  };
  return { request, body: () => Buffer.concat(chunks) };
};

const head = (length: number, extra = '') =>
  `HTTP/1.1 200 OK\r\ncontent-type: application/zip\r\ncontent-length: ${length}${extra}\r\n\r\n`;

describe('KeepAlivePool', () => {
  const closers: Array<() => Promise<void> | void> = [];
  afterEach(async () => {
    for (const close of closers.splice(0)) await close();
  });

  it('sends the path and headers, hands the body over, and reuses one connection', async () => {
    const body = randomBytes(150_000); // several reads of the 64 KB buffer
    const seen: string[] = [];
    const server = await rawServer((socket, request) => {
      seen.push(request);
      socket.write(head(body.length, '\r\nkeep-alive: timeout=5'));
      socket.write(body);
    });
    const pool = new KeepAlivePool({ baseUrl: server.baseUrl, timeoutMs: 5000 });
    closers.push(server.close, () => pool.close());
    for (let i = 0; i < 3; i++) {
      const { request, body: received } = collect();
      expect(await pool.get(request)).toEqual({ ok: true, status: 200, bytes: body.length });
      expect(received().equals(body)).toBe(true);
    }
    expect(server.connections).toHaveLength(1);
    expect(seen[0]).toBe(
      `GET /profiles/x.zip HTTP/1.1\r\nhost: ${new URL(server.baseUrl).host}\r\n` +
        'authorization: Bearer secret\r\nx-agent: a1',
    );
  });

  it('reads a head and body split across reads at awkward places', async () => {
    const text = head(11);
    const server = await rawServer((socket) => {
      socket.write(text.slice(0, 20));
      setTimeout(() => socket.write(text.slice(20, -2)), 20);
      setTimeout(() => socket.write(`${text.slice(-2)}hello`), 40);
      setTimeout(() => socket.write(' world'), 60);
    });
    const pool = new KeepAlivePool({ baseUrl: server.baseUrl, timeoutMs: 5000 });
    closers.push(server.close, () => pool.close());
    const { request, body } = collect();
    expect(await pool.get(request)).toEqual({ ok: true, status: 200, bytes: 11 });
    expect(body().toString()).toBe('hello world');
  });

  it('names what went wrong, and a failed connection is not reused', async () => {
    const server = await rawServer((socket, request, n) => {
      if (n === 1)
        socket.end(`${head(100)}only part`); // closed mid-body
      else if (n === 2)
        return; // never answers
      else if (n === 3) socket.write(`${head(2_000_000)}x`);
      else if (n === 4)
        socket.write('HTTP/1.1 401 Unauthorized\r\ntransfer-encoding: chunked\r\n\r\n0\r\n\r\n');
      else if (n === 5) socket.write('SSH-2.0-OpenSSH\r\n\r\n');
      else if (n === 6)
        socket.write(`HTTP/1.1 200 OK\r\ntransfer-encoding: chunked\r\n\r\n5\r\nhello\r\n0\r\n\r\n`);
      else socket.write(`${head(2)}ok`);
    });
    const pool = new KeepAlivePool({ baseUrl: server.baseUrl, timeoutMs: 1500 });
    closers.push(server.close, () => pool.close());
    const get = async (maxBytes?: number) => pool.get(collect(maxBytes).request);
    expect(await get()).toEqual({ ok: false, reason: 'connection closed before the response ended' });
    expect(await get()).toEqual({ ok: false, reason: 'download timeout' });
    expect(await get(1_000_000)).toEqual({
      ok: false,
      reason: 'body of 2000000 bytes, over 1000000',
      tooLarge: true,
    });
    // An error answer without a length: its status is what counts.
    expect(await get()).toEqual({ ok: true, status: 401, bytes: 0 });
    expect(await get()).toEqual({ ok: false, reason: 'not an HTTP/1.x status line: "SSH-2.0-OpenSSH"' });
    expect(await get()).toEqual({ ok: false, reason: 'a 200 response without Content-Length' });
    expect(await get()).toEqual({ ok: true, status: 200, bytes: 2 });
    // Every failure and the length-less answer cost their connection.
    expect(server.connections).toHaveLength(7);
  });

  it('does not reuse a connection the server will close: Connection: close, a short keep-alive, a close', async () => {
    const server = await rawServer((socket, request, n) => {
      if (n === 1) socket.write(`${head(2, '\r\nconnection: close')}ok`);
      else if (n === 2) socket.write(`${head(2, '\r\nkeep-alive: timeout=1')}ok`);
      else if (n === 3)
        socket.end(`${head(2)}ok`); // closes after a response that did not say so
      else socket.write(`${head(2)}ok`);
    });
    const pool = new KeepAlivePool({ baseUrl: server.baseUrl, timeoutMs: 5000 });
    closers.push(server.close, () => pool.close());
    for (let i = 1; i <= 3; i++)
      expect(await pool.get(collect().request)).toMatchObject({ ok: true, status: 200 });
    // The third connection's end reaches the pool (loopback: at once; a loaded machine: give it time).
    await new Promise<void>((r) => {
      const third = server.connections[2]!;
      if (third.closed) r();
      else third.once('close', () => r());
    });
    await new Promise((r) => setTimeout(r, 100));
    expect(await pool.get(collect().request)).toMatchObject({ ok: true, status: 200 });
    expect(server.connections).toHaveLength(4);
  });

  it('fails clearly when nothing listens, and after close', async () => {
    const pool = new KeepAlivePool({ baseUrl: 'http://127.0.0.1:1', timeoutMs: 5000 });
    expect(await pool.get(collect().request)).toEqual({ ok: false, reason: 'ECONNREFUSED' });
    pool.close();
    expect(await pool.get(collect().request)).toEqual({ ok: false, reason: 'pool closed' });
    expect(() => new KeepAlivePool({ baseUrl: 'ftp://x', timeoutMs: 1 })).toThrow(/http\(s\)/);
  });

  it('speaks https to a server whose certificate it trusts', async () => {
    const identity = await generateSelfSignedServerCertificate({ hosts: ['localhost'], validityDays: 1 });
    const body = randomBytes(70_000);
    const server = createHttpsServer(
      { key: identity.privateKeyPem, cert: identity.certificatePem },
      (req, res) => res.writeHead(200, { 'content-length': body.length }).end(body),
    );
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    const baseUrl = `https://127.0.0.1:${(server.address() as AddressInfo).port}`;
    const trusting = new KeepAlivePool({
      baseUrl,
      ca: identity.certificatePem,
      servername: 'localhost',
      timeoutMs: 5000,
    });
    const untrusting = new KeepAlivePool({ baseUrl, servername: 'localhost', timeoutMs: 5000 });
    closers.push(
      () => trusting.close(),
      () => untrusting.close(),
      () => {
        server.closeAllConnections();
        return new Promise<void>((r) => server.close(() => r()));
      },
    );
    const { request, body: received } = collect();
    expect(await trusting.get(request)).toEqual({ ok: true, status: 200, bytes: body.length });
    expect(received().equals(body)).toBe(true);
    expect(await untrusting.get(collect().request)).toMatchObject({
      ok: false,
      reason: 'DEPTH_ZERO_SELF_SIGNED_CERT',
    });
  });
});
