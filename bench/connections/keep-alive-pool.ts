/**
 * A minimal HTTP/1.1 GET client over kept-alive connections, for the simulated agents' downloads.
 *
 * Why not undici (or node:http): every socket read of those allocates a fresh 64 KB buffer, and
 * 10,000 downloads of 50 KB then churn ~600 MB of ArrayBuffer memory through a swarm whose heap holds
 * 10,000 WebSocket clients. V8 answers that external-memory pressure with a full mark-compact every
 * ~300 ms, and the swarm spent about as much CPU on GC threads as on its own work, on the two cores it
 * shares with the central it measures (docs/benchmarks.md). Here each connection reads into one
 * buffer of its own (`onread`), and a body is handed over in slices of it.
 *
 * Scope: GET, one request at a time per connection; a body is read only when it has a Content-Length
 * (an error answer without one reports its status and closes the connection). The caller bounds
 * how many requests run at once (a connection is opened whenever none is idle).
 */
import { connect as connectTcp, type Socket } from 'node:net';
import { connect as connectTls } from 'node:tls';
import { parseResponseHead, type ResponseHead } from './http-response-head.js';

export interface KeepAlivePoolOptions {
  /** `http://host:port` or `https://host:port`. */
  baseUrl: string;
  /** PEM trusted for https. */
  ca?: string;
  /** TLS server name to check the certificate against (default: the host). */
  servername?: string;
  /** A request fails after this long (the connection is closed). */
  timeoutMs: number;
}

export interface GetRequest {
  path: string;
  headers: Record<string, string>;
  /** A longer body fails the request (`tooLarge`) and closes the connection. */
  maxBytes: number;
  /** Body bytes of a 200 response as they arrive: the buffer is reused once this returns. */
  onBody(chunk: Buffer): void;
}

export type GetOutcome =
  { ok: true; status: number; bytes: number } | { ok: false; reason: string; tooLarge?: true };

/** Idle connections are given up this long before the server's announced keep-alive timeout. */
const IDLE_MARGIN_MS = 1000;
/** Node's default keep-alive timeout, when a response does not announce one. */
const DEFAULT_IDLE_TIMEOUT_MS = 5000;
const MAX_HEAD_BYTES = 16 * 1024;
const READ_BUFFER_BYTES = 64 * 1024;
const HEAD_END = Buffer.from('\r\n\r\n', 'latin1');

export class KeepAlivePool {
  private readonly idle: PooledConnection[] = [];
  private readonly open = new Set<PooledConnection>();
  private readonly url: URL;
  private closed = false;

  constructor(private readonly options: KeepAlivePoolOptions) {
    this.url = new URL(options.baseUrl);
    if (this.url.protocol !== 'http:' && this.url.protocol !== 'https:')
      throw new Error(`baseUrl must be http(s)://, got ${options.baseUrl}`);
  }

  /** Never rejects. */
  get(request: GetRequest): Promise<GetOutcome> {
    if (this.closed) return Promise.resolve({ ok: false, reason: 'pool closed' });
    return (this.takeIdle() ?? this.connect()).get(request);
  }

  close(): void {
    this.closed = true;
    for (const c of this.open) c.destroy();
  }

  private takeIdle(): PooledConnection | undefined {
    for (let c = this.idle.pop(); c; c = this.idle.pop()) {
      if (c.reusable()) return c;
      c.destroy();
    }
    return undefined;
  }

  private connect(): PooledConnection {
    const c = new PooledConnection(this.url, this.options, {
      idle: (done) => (this.closed ? done.destroy() : this.idle.push(done)),
      closed: (gone) => {
        this.open.delete(gone);
        const at = this.idle.indexOf(gone);
        if (at >= 0) this.idle.splice(at, 1);
      },
    });
    this.open.add(c);
    return c;
  }
}

interface Active {
  request: GetRequest;
  resolve: (outcome: GetOutcome) => void;
  timer: NodeJS.Timeout;
  /** Bytes of a head that did not fit in one read. */
  headPart: Buffer | undefined;
  head: ResponseHead | undefined;
  left: number;
  bytes: number;
}

class PooledConnection {
  private readonly socket: Socket;
  private readonly buffer = Buffer.allocUnsafe(READ_BUFFER_BYTES);
  private readonly host: string;
  private active: Active | undefined;
  private lastError: string | undefined;
  private closed = false;
  private idleSince = 0;
  private idleTimeoutMs = DEFAULT_IDLE_TIMEOUT_MS;

  constructor(
    url: URL,
    private readonly options: KeepAlivePoolOptions,
    private readonly pool: { idle(c: PooledConnection): void; closed(c: PooledConnection): void },
  ) {
    this.host = url.host;
    const https = url.protocol === 'https:';
    const target = {
      host: url.hostname,
      port: Number(url.port || (https ? 443 : 80)),
      onread: { buffer: this.buffer, callback: (n: number) => this.received(n) },
    };
    this.socket = https
      ? connectTls({ ...target, ca: options.ca, servername: options.servername ?? url.hostname })
      : connectTcp(target);
    this.socket.setNoDelay(true);
    this.socket.on('error', (error: Error & { code?: string }) => {
      this.lastError = error.code ?? error.message.slice(0, 80);
    });
    this.socket.on('close', () => {
      this.closed = true;
      this.fail(this.lastError ?? 'connection closed before the response ended');
      this.pool.closed(this);
    });
  }

  /** Idle, open, and not about to be closed by the server for idleness. */
  reusable(): boolean {
    return !this.closed && Date.now() - this.idleSince < this.idleTimeoutMs - IDLE_MARGIN_MS;
  }

  get(request: GetRequest): Promise<GetOutcome> {
    return new Promise<GetOutcome>((resolve) => {
      const timer = setTimeout(() => this.fail('download timeout'), this.options.timeoutMs);
      this.active = { request, resolve, timer, headPart: undefined, head: undefined, left: 0, bytes: 0 };
      let text = `GET ${request.path} HTTP/1.1\r\nhost: ${this.host}\r\n`;
      for (const [name, value] of Object.entries(request.headers)) text += `${name}: ${value}\r\n`;
      this.socket.write(`${text}\r\n`, 'latin1');
    });
  }

  destroy(): void {
    this.socket.destroy();
  }

  /** `n` bytes arrived at the start of the read buffer. */
  private received(n: number): boolean {
    const a = this.active;
    // Bytes nobody asked for: the connection can no longer be trusted to frame responses.
    if (!a) {
      this.destroy();
      return false;
    }
    let offset = 0;
    if (!a.head) {
      offset = this.readHead(a, n);
      if (offset < 0 || this.active !== a) return true;
    }
    const body = Math.min(n - offset, a.left);
    if (body > 0) {
      if (a.head!.status === 200) a.request.onBody(this.buffer.subarray(offset, offset + body));
      a.left -= body;
      a.bytes += body;
    }
    if (a.left === 0) this.finish(a, n - offset > body);
    return true;
  }

  /** Where the body starts in the read buffer once the head is complete; -1 while it is not. */
  private readHead(a: Active, n: number): number {
    const chunk = this.buffer.subarray(0, n);
    const prior = a.headPart?.length ?? 0;
    const joined = a.headPart ? Buffer.concat([a.headPart, chunk]) : chunk;
    const end = joined.indexOf(HEAD_END);
    if (end < 0) {
      if (joined.length > MAX_HEAD_BYTES) this.fail(`response head larger than ${MAX_HEAD_BYTES} bytes`);
      else a.headPart = Buffer.from(joined); // the read buffer is reused
      return -1;
    }
    const head = parseResponseHead(joined.toString('latin1', 0, end));
    if (typeof head === 'string') {
      this.fail(head);
      return -1;
    }
    if (head.contentLength === undefined) {
      // Only error answers come without a length (Node sends `writeHead(401).end()` chunked): their
      // status is all that matters, and the connection cannot be reused without reading the body.
      if (head.status === 200) this.fail('a 200 response without Content-Length');
      else {
        a.head = { ...head, keepAlive: false };
        this.finish(a, false);
      }
      return -1;
    }
    if (head.contentLength > a.request.maxBytes) {
      this.fail(`body of ${head.contentLength} bytes, over ${a.request.maxBytes}`, true);
      return -1;
    }
    a.head = head;
    a.left = head.contentLength;
    return end + HEAD_END.length - prior;
  }

  private finish(a: Active, extraBytes: boolean): void {
    clearTimeout(a.timer);
    this.active = undefined;
    a.resolve({ ok: true, status: a.head!.status, bytes: a.bytes });
    if (!a.head!.keepAlive || extraBytes || this.closed) return this.destroy();
    this.idleSince = Date.now();
    this.idleTimeoutMs = a.head!.idleTimeoutMs ?? DEFAULT_IDLE_TIMEOUT_MS;
    this.pool.idle(this);
  }

  private fail(reason: string, tooLarge = false): void {
    const a = this.active;
    if (!a) return;
    clearTimeout(a.timer);
    this.active = undefined;
    a.resolve(tooLarge ? { ok: false, reason, tooLarge } : { ok: false, reason });
    this.destroy();
  }
}
