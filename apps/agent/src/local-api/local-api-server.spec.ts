import { execFile, execFileSync } from 'node:child_process';
import { promisify } from 'node:util';
import {
  existsSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  symlinkSync,
  writeFileSync,
} from 'node:fs';
import { request } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Logger } from '../logger.js';
import { FileArea } from './file-area.js';
import { LocalApiServer } from './local-api-server.js';

interface Reply {
  status: number;
  body: string;
  json: () => Record<string, unknown>;
}

/** One raw request: the path is sent as written (no URL normalisation), headers as given. */
function send(
  port: number,
  method: string,
  path: string,
  opts: { body?: Buffer | string; headers?: Record<string, string>; chunks?: AsyncIterable<Buffer> } = {},
): Promise<Reply> {
  return new Promise((resolve, reject) => {
    const req = request(
      { host: '127.0.0.1', port, method, path, headers: { Host: `127.0.0.1:${port}`, ...opts.headers } },
      (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (c: Buffer) => chunks.push(c));
        res.on('end', () => {
          const body = Buffer.concat(chunks).toString();
          resolve({
            status: res.statusCode ?? 0,
            body,
            json: () => JSON.parse(body) as Record<string, unknown>,
          });
        });
      },
    );
    req.on('error', reject);
    if (opts.chunks) {
      void (async () => {
        for await (const chunk of opts.chunks!) req.write(chunk);
        req.end();
      })();
    } else req.end(opts.body);
  });
}

const KIB = 1024;
/** curl runs asynchronously: the server it talks to lives in this process. */
const curl = async (...args: string[]): Promise<string> =>
  (await promisify(execFile)('curl', ['-sS', '--max-time', '20', ...args], { encoding: 'utf8' })).stdout;

describe('agent local API, level 1 (plain HTTP on 127.0.0.1)', () => {
  const home = mkdtempSync(join(tmpdir(), 'sy-local-api-'));
  const areaRoot = join(home, 'files');
  const statusFile = join(home, 'state', 'status.json');
  const logLines: string[] = [];
  const area = new FileArea(areaRoot, { maxFileSize: 64 * KIB, quota: 100 * KIB });
  const server = new LocalApiServer({
    port: 0,
    statusFile,
    agentId: 'branch-7.till-1',
    version: '9.8.7',
    area,
    logger: new Logger('debug', (line) => logLines.push(line)),
  });
  let port = 0;

  beforeAll(async () => {
    mkdirSync(areaRoot, { recursive: true });
    writeFileSync(join(areaRoot, '.left.abc123.part'), 'a crashed upload');
    port = await server.start();
  });
  afterAll(() => server.stop());

  it('removes the .part files of an interrupted upload at start', () => {
    expect(readdirSync(areaRoot)).toEqual([]);
  });

  it('serves the status file with the agent id and version, 503 before there is one', async () => {
    expect(await send(port, 'GET', '/status')).toMatchObject({ status: 503 });
    mkdirSync(join(home, 'state'), { recursive: true });
    writeFileSync(statusFile, JSON.stringify({ state: 'connected', transport: 'plain', lastError: null }));
    const reply = await send(port, 'GET', '/status');
    expect(reply.status).toBe(200);
    expect(reply.json()).toEqual({
      agentId: 'branch-7.till-1',
      version: '9.8.7',
      state: 'connected',
      transport: 'plain',
      lastError: null,
    });
    expect((await send(port, 'POST', '/status')).status).toBe(405);
    expect(await send(port, 'GET', '/nothing')).toMatchObject({ status: 404 });
  });

  it('stores, lists, replaces, reads and deletes files, creating folders on the way (curl)', async () => {
    const file = join(home, 'upload.bin');
    writeFileSync(file, Buffer.alloc(5000, 7));
    const url = `http://127.0.0.1:${port}/files`;
    expect(await curl('-w', ' %{http_code}', '-T', file, `${url}/inbox/2026/upload.bin`)).toBe(
      '{"path":"inbox/2026/upload.bin","bytes":5000}\n 201',
    );
    expect(readFileSync(join(areaRoot, 'inbox', '2026', 'upload.bin'))).toEqual(Buffer.alloc(5000, 7));
    expect(await curl('-w', ' %{http_code}', '-T', file, `${url}/inbox/2026/upload.bin`)).toMatch(/ 200$/);
    const got = await send(port, 'GET', '/files/inbox/2026/upload.bin');
    expect(got).toMatchObject({ status: 200, body: Buffer.alloc(5000, 7).toString() });
    const listing = (await send(port, 'GET', '/files/inbox/2026/')).json();
    expect(listing).toMatchObject({
      path: 'inbox/2026',
      entries: [{ name: 'upload.bin', type: 'file', size: 5000 }],
    });
    expect((await send(port, 'GET', '/files/')).json()).toMatchObject({
      entries: [{ name: 'inbox', type: 'folder' }],
    });

    expect(await send(port, 'DELETE', '/files/inbox/2026')).toMatchObject({ status: 409 });
    expect((await send(port, 'DELETE', '/files/inbox/2026')).json().error).toBe(
      'folder "inbox/2026" is not empty: delete its files first',
    );
    expect((await send(port, 'DELETE', '/files/inbox/2026/upload.bin')).status).toBe(204);
    expect((await send(port, 'GET', '/files/inbox/2026/upload.bin')).status).toBe(404);
    expect((await send(port, 'DELETE', '/files/inbox/2026')).status).toBe(204);
    expect((await send(port, 'DELETE', '/files/inbox')).status).toBe(204);
    expect((await send(port, 'DELETE', '/files/')).json().error).toBe(
      'the file area itself cannot be deleted',
    );
  });

  it('refuses paths that leave the area, and writes nothing outside it', async () => {
    writeFileSync(join(home, 'state', 'credential'), 'secret');
    for (const path of [
      '/files/../state/credential',
      '/files/a/%2e%2e/%2e%2e/state/credential',
      '/files/..%2Fstate%2Fcredential',
    ]) {
      const put = await send(port, 'PUT', path, { body: 'overwritten' });
      expect(put.status).toBe(400);
      expect(put.json().error).toMatch(
        /path segment .* (is refused: paths stay inside the file area|contains a character)/,
      );
      expect((await send(port, 'GET', path)).status).toBe(400);
    }
    expect(readFileSync(join(home, 'state', 'credential'), 'utf8')).toBe('secret');
    expect(existsSync(join(areaRoot, 'a'))).toBe(false);
  });

  it('does not follow symbolic links, as file or as folder', async () => {
    writeFileSync(join(home, 'outside.txt'), 'outside');
    symlinkSync(join(home, 'outside.txt'), join(areaRoot, 'link.txt'));
    symlinkSync(home, join(areaRoot, 'linked-folder'));
    const read = await send(port, 'GET', '/files/link.txt');
    expect(read).toMatchObject({ status: 403 });
    expect(read.json().error).toBe('"link.txt" is a symbolic link: links are not followed');
    expect((await send(port, 'PUT', '/files/link.txt', { body: 'x' })).status).toBe(403);
    expect((await send(port, 'PUT', '/files/linked-folder/state/credential', { body: 'x' })).status).toBe(
      403,
    );
    expect((await send(port, 'DELETE', '/files/linked-folder/outside.txt')).status).toBe(403);
    expect(readFileSync(join(home, 'outside.txt'), 'utf8')).toBe('outside');
    expect(readFileSync(join(home, 'state', 'credential'), 'utf8')).toBe('secret');
    execFileSync('rm', [join(areaRoot, 'link.txt'), join(areaRoot, 'linked-folder')]);
  });

  it('refuses a file over the size limit, declared or streamed, and keeps no part of it', async () => {
    const declared = await send(port, 'PUT', '/files/big.bin', { body: Buffer.alloc(64 * KIB + 1) });
    expect(declared.status).toBe(413);
    expect(declared.json().error).toBe(
      'file of 65537 bytes is larger than the limit of 65536 bytes (agent.local.api.files.max.size)',
    );
    async function* chunked() {
      for (let i = 0; i < 10; i++) yield Buffer.alloc(8 * KIB, i);
    }
    const streamed = await send(port, 'PUT', '/files/big.bin', { chunks: chunked() });
    expect(streamed.status).toBe(413);
    expect(streamed.json().error).toBe(
      'file is larger than the limit of 65536 bytes (agent.local.api.files.max.size)',
    );
    // curl asks first (Expect: 100-continue) and gets the refusal without sending the body
    const file = join(home, 'big.bin');
    writeFileSync(file, Buffer.alloc(2 * 1024 * KIB));
    const out = await curl(
      '-H',
      'Expect: 100-continue',
      '-w',
      ' %{http_code} %{size_upload}',
      '-T',
      file,
      `http://127.0.0.1:${port}/files/big.bin`,
    );
    expect(out).toMatch(/ 413 (\d+)$/);
    expect(Number(/ 413 (\d+)$/.exec(out)![1])).toBeLessThan(2 * 1024 * KIB);
    expect(readdirSync(areaRoot)).toEqual([]);
  });

  it('keeps the area within its quota, counting a replaced file once', async () => {
    expect((await send(port, 'PUT', '/files/a.bin', { body: Buffer.alloc(60 * KIB) })).status).toBe(201);
    const over = await send(port, 'PUT', '/files/b.bin', { body: Buffer.alloc(50 * KIB) });
    expect(over.status).toBe(507);
    expect(over.json().error).toBe(
      "the file area's quota of 102400 bytes (agent.local.api.files.quota) leaves room for 40960 bytes only",
    );
    // replacing a.bin by 64 KiB needs only 4 KiB more
    expect((await send(port, 'PUT', '/files/a.bin', { body: Buffer.alloc(64 * KIB) })).status).toBe(200);
    expect(await area.usage()).toBe(64 * KIB);
    expect(readdirSync(areaRoot)).toEqual(['a.bin']);
    expect((await send(port, 'DELETE', '/files/a.bin')).status).toBe(204);
  });

  it('writes atomically: during an upload readers get the old file, then the whole new one', async () => {
    expect((await send(port, 'PUT', '/files/conf.txt', { body: 'old' })).status).toBe(201);
    let release!: () => void;
    const gate = new Promise<void>((r) => (release = r));
    async function* slow() {
      yield Buffer.from('new-');
      await gate;
      yield Buffer.from('content');
    }
    const upload = send(port, 'PUT', '/files/conf.txt', { chunks: slow() });
    await new Promise((r) => setTimeout(r, 200));
    expect((await send(port, 'GET', '/files/conf.txt')).body).toBe('old');
    expect(readdirSync(areaRoot).filter((n) => n.endsWith('.part'))).toHaveLength(1);
    release();
    expect((await upload).status).toBe(200);
    expect((await send(port, 'GET', '/files/conf.txt')).body).toBe('new-content');
    expect(readdirSync(areaRoot)).toEqual(['conf.txt']);
  });

  it('refuses browsers (Origin) and other Host names (DNS rebinding)', async () => {
    const fromPage = await send(port, 'GET', '/status', { headers: { Origin: 'http://evil.example' } });
    expect(fromPage).toMatchObject({ status: 403 });
    expect(fromPage.json().error).toBe(
      'requests from web pages (with an Origin header) are refused by the local API',
    );
    const rebound = await send(port, 'PUT', '/files/x', {
      body: 'x',
      headers: { Host: `evil.example:${port}` },
    });
    expect(rebound.status).toBe(403);
    expect(rebound.json().error).toContain('Host "evil.example');
    expect(existsSync(join(areaRoot, 'x'))).toBe(false);
    expect((await send(port, 'GET', '/status', { headers: { Host: `localhost:${port}` } })).status).toBe(200);
  });

  it('logs what it stored and deleted', () => {
    expect(
      logLines.some((l) => l.includes('local API: stored files/inbox/2026/upload.bin (5000 bytes)')),
    ).toBe(true);
    expect(logLines.some((l) => l.includes('local API: deleted files/inbox/2026/upload.bin'))).toBe(true);
  });
});
