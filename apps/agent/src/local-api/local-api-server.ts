import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { createServer as createHttpsServer, type Server as HttpsServer } from 'node:https';
import { readFile } from 'node:fs/promises';
import { type AddressInfo } from 'node:net';
import { pipeline } from 'node:stream/promises';
import type { AgentEventKind } from '../../../../libs/protocol/index.js';
import type { Logger } from '../logger.js';
import { FileAreaError } from './file-area-error.js';
import { parseAreaPath } from './file-area-path.js';
import type { FileArea } from './file-area.js';

/** A request the security level refuses, answered with `status` and `{ error }`. */
export interface Refusal {
  status: 401 | 403 | 429;
  error: string;
  headers?: Record<string, string>;
}

/** HTTPS for levels 2 and 3: what `tls.createSecureContext` takes, and whether client certificates are asked for. */
export interface LocalApiTls {
  context: { cert: string; key: string; ca?: string };
  /** Level 3 with client certificates: asked for, checked by `authorize` (so the refusal can say why). */
  requestCert: boolean;
}

export interface LocalApiOptions {
  port: number;
  /** Default 127.0.0.1; Host names are checked only on a loopback address (see `refusal`). */
  bindAddress?: string;
  /** Absent: plain HTTP (level 1). */
  tls?: LocalApiTls;
  /** Levels 3: refuses a request without the right client certificate or password. */
  authorize?: (req: IncomingMessage) => Promise<Refusal | undefined>;
  /** Added to GET /status as `localApi` (security level, certificate served). */
  describe?: () => Record<string, unknown>;
  /** Where the agent's status is (state/status.json), served at GET /status. */
  statusFile: string;
  agentId: string;
  version: string;
  area: FileArea;
  logger: Logger;
  /** A file transfer refusal worth central's audit log (path outside the area, size, quota; ADR 51). */
  onRefusal?: (kind: AgentEventKind, reason: string, address: string) => void;
}

const LOOPBACK = '127.0.0.1';
const LOOPBACK_ADDRESSES = /^(127\.\d{1,3}\.\d{1,3}\.\d{1,3}|::1)$/;

/**
 * The agent's local API (issue 17 point 3, ADR 43): level 1 plain HTTP on 127.0.0.1 for software on the
 * same machine, no password; levels 2 and 3 the same over HTTPS (`tls`), level 3 with `authorize`
 * checking a client certificate or a password. Because any web page the machine's browser opens could
 * also reach 127.0.0.1, requests carrying an Origin header (browsers send one cross-origin) and, on a
 * loopback address, requests whose Host is not that address (DNS rebinding) are refused.
 *
 *   GET /status                 the agent's status: state/status.json plus its id and version
 *   GET /files/[folder/]        a folder's entries (JSON)
 *   GET /files/<path>           a file
 *   PUT /files/<path>           stores the body as that file (atomically), 201 created / 200 replaced
 *   DELETE /files/<path>        removes a file or an empty folder, 204
 */
export class LocalApiServer {
  private server: Server | HttpsServer | undefined;

  constructor(readonly options: LocalApiOptions) {}

  /** Listens on 127.0.0.1:<port>; rejects (e.g. EADDRINUSE) without leaving anything open. */
  async start(): Promise<number> {
    await this.options.area.prepare();
    const onRequest = (req: IncomingMessage, res: ServerResponse) => void this.handle(req, res);
    const tls = this.options.tls;
    const server = tls
      ? createHttpsServer(
          {
            ...tls.context,
            minVersion: 'TLSv1.2',
            requestCert: tls.requestCert,
            // Not refused at the handshake: `authorize` answers 401/403 with the reason instead of a
            // bare TLS alert (or none: Node sends none for a foreign or expired chain, ADR 31).
            rejectUnauthorized: false,
          },
          onRequest,
        )
      : createServer(onRequest);
    if (tls) {
      server.on('tlsClientError', (error: Error) =>
        this.options.logger.debug(`local API: TLS handshake failed: ${error.message}`),
      );
    }
    // curl asks before sending a large body (Expect: 100-continue): say no to one over the size limit
    // at once, instead of letting it upload megabytes only to be refused.
    server.on(
      'checkContinue',
      (req: IncomingMessage, res: ServerResponse) => void this.handle(req, res, true),
    );
    server.requestTimeout = 120_000;
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(this.options.port, this.options.bindAddress ?? LOOPBACK, () => {
        server.off('error', reject);
        resolve();
      });
    });
    this.server = server;
    return (server.address() as AddressInfo).port;
  }

  /** Serves a renewed certificate from the next handshake on; open connections keep theirs. */
  setSecureContext(context: LocalApiTls['context']): void {
    const server = this.server;
    if (!server || !('setSecureContext' in server)) throw new Error('the local API is not serving HTTPS');
    server.setSecureContext({ ...context, minVersion: 'TLSv1.2' });
  }

  /** The port listened on, or undefined when stopped. */
  get port(): number | undefined {
    return (this.server?.address() as AddressInfo | null)?.port;
  }

  async stop(): Promise<void> {
    const server = this.server;
    this.server = undefined;
    if (!server) return;
    server.closeAllConnections();
    await new Promise<void>((resolve) => server.close(() => resolve()));
  }

  /** `expectsContinue`: the client waits for 100 Continue before it sends the body. */
  private async handle(req: IncomingMessage, res: ServerResponse, expectsContinue = false): Promise<void> {
    const { logger } = this.options;
    let parsing = false;
    try {
      const refusal = this.refusal(req);
      if (refusal) return refuse(req, res, { status: 403, error: refusal });
      const denied = await this.options.authorize?.(req);
      if (denied) {
        logger.warn(
          `local API: ${req.method} ${req.url} from ${req.socket.remoteAddress ?? '?'} refused (${denied.status}): ${denied.error}`,
        );
        return refuse(req, res, denied);
      }
      // Only an allowed upload within the size limit gets its body asked for.
      const declared = Number(req.headers['content-length'] ?? NaN);
      if (expectsContinue && !(declared > this.options.area.limits.maxFileSize)) res.writeContinue();
      const path = (req.url ?? '/').split('?')[0];
      if (path === '/status') {
        if (req.method !== 'GET') return methodNotAllowed(res, 'GET');
        return await this.status(res);
      }
      if (path === '/files' || path.startsWith('/files/')) {
        parsing = true;
        const segments = parseAreaPath(path.slice('/files/'.length));
        parsing = false;
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
        const kind = refusalKind(error, parsing);
        if (kind)
          this.options.onRefusal?.(
            kind,
            `${req.method} ${(req.url ?? '/').split('?')[0]}: ${error.message}`,
            req.socket.remoteAddress ?? 'unknown',
          );
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
    const address = this.options.bindAddress ?? LOOPBACK;
    // Elsewhere the Host is whatever name the network gives this machine; HTTPS and levels 3 guard it.
    if (!LOOPBACK_ADDRESSES.test(address)) return undefined;
    const port = this.port;
    const allowed = [`${address.includes(':') ? `[${address}]` : address}:${port}`, `localhost:${port}`];
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
    const localApi = this.options.describe?.();
    json(res, 200, {
      agentId: this.options.agentId,
      version: this.options.version,
      ...(status as object),
      ...(localApi ? { localApi } : {}),
    });
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

/** Answers a refusal; the body of a refused upload is read and dropped, and the connection closed. */
function refuse(req: IncomingMessage, res: ServerResponse, refusal: Refusal): void {
  for (const [name, value] of Object.entries(refusal.headers ?? {})) res.setHeader(name, value);
  if (req.method === 'PUT' || req.method === 'POST') {
    res.setHeader('Connection', 'close');
    req.resume();
  }
  json(res, refusal.status, { error: refusal.error });
}

function methodNotAllowed(res: ServerResponse, allow: string): void {
  res.setHeader('Allow', allow);
  json(res, 405, { error: `method not allowed here; allowed: ${allow}` });
}

/**
 * The file transfer refusals central audits: a path that tries to leave the area (refused while parsing,
 * or a symbolic link on the way), a file over the size limit, an upload over the quota. Not found,
 * conflicts and a missing path are ordinary client errors.
 */
function refusalKind(error: FileAreaError, whileParsingPath: boolean): AgentEventKind | undefined {
  if (error.status === 413) return 'local_api.file_too_large';
  if (error.status === 507) return 'local_api.over_quota';
  if (error.status === 403 || (error.status === 400 && whileParsingPath)) return 'local_api.path_refused';
  return undefined;
}
