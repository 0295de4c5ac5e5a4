import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { readFile } from 'node:fs/promises';
import { type AddressInfo } from 'node:net';
import { pipeline } from 'node:stream/promises';
import type { Logger } from '../logger.js';
import { FileAreaError } from './file-area-error.js';
import { parseAreaPath } from './file-area-path.js';
import type { FileArea } from './file-area.js';

export interface LocalApiOptions {
  port: number;
  /** Where the agent's status is (state/status.json), served at GET /status. */
  statusFile: string;
  agentId: string;
  version: string;
  area: FileArea;
  logger: Logger;
}

const LOOPBACK = '127.0.0.1';

/**
 * The agent's local API (issue 17 point 3), level 1: plain HTTP on 127.0.0.1 for software on the same
 * machine, no password. Because any web page the machine's browser opens could also reach 127.0.0.1,
 * requests carrying an Origin header (browsers send one cross-origin) and requests whose Host is not
 * this loopback address (DNS rebinding) are refused.
 *
 *   GET /status                 the agent's status: state/status.json plus its id and version
 *   GET /files/[folder/]        a folder's entries (JSON)
 *   GET /files/<path>           a file
 *   PUT /files/<path>           stores the body as that file (atomically), 201 created / 200 replaced
 *   DELETE /files/<path>        removes a file or an empty folder, 204
 */
export class LocalApiServer {
  private server: Server | undefined;

  constructor(private readonly options: LocalApiOptions) {}

  /** Listens on 127.0.0.1:<port>; rejects (e.g. EADDRINUSE) without leaving anything open. */
  async start(): Promise<number> {
    await this.options.area.prepare();
    const server = createServer((req, res) => void this.handle(req, res));
    // curl asks before sending a large body (Expect: 100-continue): say no to one over the size limit
    // at once, instead of letting it upload megabytes only to be refused.
    server.on('checkContinue', (req: IncomingMessage, res: ServerResponse) => {
      const declared = Number(req.headers['content-length'] ?? NaN);
      if (!(declared > this.options.area.limits.maxFileSize)) res.writeContinue();
      void this.handle(req, res);
    });
    server.requestTimeout = 120_000;
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(this.options.port, LOOPBACK, () => {
        server.off('error', reject);
        resolve();
      });
    });
    this.server = server;
    return (server.address() as AddressInfo).port;
  }

  async stop(): Promise<void> {
    const server = this.server;
    this.server = undefined;
    if (!server) return;
    server.closeAllConnections();
    await new Promise<void>((resolve) => server.close(() => resolve()));
  }

  private async handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const { logger } = this.options;
    try {
      const refusal = this.refusal(req);
      if (refusal) return json(res, 403, { error: refusal });
      const path = (req.url ?? '/').split('?')[0];
      if (path === '/status') {
        if (req.method !== 'GET') return methodNotAllowed(res, 'GET');
        return await this.status(res);
      }
      if (path === '/files' || path.startsWith('/files/')) {
        const segments = parseAreaPath(path.slice('/files/'.length));
        switch (req.method) {
          case 'GET':
            return await this.get(res, segments);
          case 'PUT':
            return await this.put(req, res, segments);
          case 'DELETE':
            await this.options.area.delete(segments);
            logger.info(`local API: deleted files/${segments.join('/')}`);
            res.writeHead(204).end();
            return;
          default:
            return methodNotAllowed(res, 'GET, PUT, DELETE');
        }
      }
      json(res, 404, { error: `no such resource ${path}: the local API serves /status and /files/<path>` });
    } catch (error) {
      if (error instanceof FileAreaError) {
        if (error.status >= 413) logger.warn(`local API: ${req.method} ${req.url} refused: ${error.message}`);
        // The rest of a refused upload is read and dropped (so the client gets the answer rather than a
        // reset), and the connection closed after it.
        if (req.method === 'PUT') {
          res.setHeader('Connection', 'close');
          req.resume();
        }
        return json(res, error.status, { error: error.message });
      }
      logger.error(`local API: ${req.method} ${req.url} failed: ${(error as Error).message}`);
      if (!res.headersSent)
        json(res, 500, { error: `the agent could not do that: ${(error as Error).message}` });
      else res.destroy();
    }
  }

  /** Why a request is refused before routing, or undefined. */
  private refusal(req: IncomingMessage): string | undefined {
    if (req.headers.origin !== undefined) {
      return 'requests from web pages (with an Origin header) are refused by the local API';
    }
    const port = (this.server?.address() as AddressInfo | null)?.port;
    const allowed = [`${LOOPBACK}:${port}`, `localhost:${port}`];
    if (!allowed.includes((req.headers.host ?? '').toLowerCase())) {
      return `Host ${JSON.stringify(req.headers.host ?? '')} is not this loopback API (expected ${allowed.join(' or ')})`;
    }
    return undefined;
  }

  private async status(res: ServerResponse): Promise<void> {
    let status: unknown;
    try {
      status = JSON.parse(await readFile(this.options.statusFile, 'utf8'));
    } catch {
      return json(res, 503, { error: 'the agent has not written its status yet (state/status.json)' });
    }
    json(res, 200, { agentId: this.options.agentId, version: this.options.version, ...(status as object) });
  }

  private async get(res: ServerResponse, segments: string[]): Promise<void> {
    const found = await this.options.area.read(segments);
    if (found.kind === 'folder') {
      return json(res, 200, { path: segments.join('/'), entries: found.entries });
    }
    res.writeHead(200, { 'Content-Type': 'application/octet-stream', 'Content-Length': found.size });
    await pipeline(found.stream, res);
  }

  private async put(req: IncomingMessage, res: ServerResponse, segments: string[]): Promise<void> {
    const header = req.headers['content-length'];
    const declared = header === undefined ? undefined : Number(header);
    // Not destroyed when the area stops reading (over the limit): the refusal must still reach the client.
    const body = req.iterator({ destroyOnReturn: false }) as AsyncIterable<Buffer>;
    const result = await this.options.area.put(segments, body, declared);
    this.options.logger.info(`local API: stored files/${segments.join('/')} (${result.bytes} bytes)`);
    json(res, result.created ? 201 : 200, { path: segments.join('/'), bytes: result.bytes });
  }
}

function json(res: ServerResponse, status: number, body: unknown): void {
  const text = `${JSON.stringify(body)}\n`;
  res.writeHead(status, { 'Content-Type': 'application/json', 'Content-Length': Buffer.byteLength(text) });
  res.end(text);
}

function methodNotAllowed(res: ServerResponse, allow: string): void {
  res.setHeader('Allow', allow);
  json(res, 405, { error: `method not allowed here; allowed: ${allow}` });
}
