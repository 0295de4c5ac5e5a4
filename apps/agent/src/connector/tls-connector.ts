import { createServer, isIP, type AddressInfo, type Server, type Socket } from 'node:net';
import { connect as tlsConnect, type TLSSocket } from 'node:tls';
import { describeConnectError } from '../connection-errors.js';
import { type Logger } from '../logger.js';
import { type ConnectorOptions } from './connector-options.js';
import { rewriteRequestHead, scanRequestHead } from './http-request-head.js';

/** A device that opened a connection but sends no request head within this time is dropped. */
const HEAD_TIMEOUT_MS = 10_000;
const TLS_CONNECT_TIMEOUT_MS = 10_000;

interface Tally {
  id: number;
  from: string;
  started: number;
  up: number;
  down: number;
}

/**
 * Plain TCP in, TLS out: each accepted connection gets its own TLS connection to central, verified
 * against the truststore. Only the first request head is touched (Host, via header); then bytes flow
 * unchanged both ways. A connection central cannot be reached for is closed, never sent in clear.
 */
export class TlsConnector {
  private server: Server | undefined;
  private readonly open = new Set<Socket>();
  private nextId = 1;

  constructor(
    private readonly options: ConnectorOptions,
    private readonly log: Logger,
  ) {}

  get address(): AddressInfo | undefined {
    return (this.server?.address() as AddressInfo | null) ?? undefined;
  }

  async start(): Promise<AddressInfo> {
    const server = createServer((socket) => this.accept(socket));
    server.maxConnections = this.options.maxConnections;
    server.on('drop', (d) =>
      this.log.warn(
        `refused a connection from ${d?.remoteAddress}:${d?.remotePort}: ${this.options.maxConnections} connections already open (--max-connections)`,
      ),
    );
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(this.options.listen.port, this.options.listen.host, () => {
        server.off('error', reject);
        resolve();
      });
    });
    this.server = server;
    const a = server.address() as AddressInfo;
    const { central, name } = this.options;
    this.log.info(
      `connector ${name} listening on ${a.address}:${a.port}, forwarding over TLS to ${central.host}:${central.port}`,
    );
    return a;
  }

  /** Stops accepting, gives open connections `graceMs` to finish, then closes them. */
  async stop(graceMs = 5000): Promise<void> {
    const server = this.server;
    if (!server) return;
    this.server = undefined;
    const closed = new Promise<void>((resolve) => server.close(() => resolve()));
    const timer = setTimeout(() => {
      for (const s of this.open) s.destroy();
    }, graceMs);
    await closed;
    clearTimeout(timer);
    this.log.info(`connector ${this.options.name} stopped`);
  }

  private accept(device: Socket): void {
    const t: Tally = {
      id: this.nextId++,
      from: `${device.remoteAddress}:${device.remotePort}`,
      started: Date.now(),
      up: 0,
      down: 0,
    };
    this.open.add(device);
    device.once('close', () => this.open.delete(device));
    device.on('error', () => undefined);
    device.setTimeout(HEAD_TIMEOUT_MS, () =>
      this.finish(t, device, undefined, 'no request from the device in time'),
    );
    let received = Buffer.alloc(0);
    const onData = (chunk: Buffer) => {
      received = Buffer.concat([received, chunk]);
      const scan = scanRequestHead(received);
      if (scan.kind === 'incomplete') return;
      device.off('data', onData);
      device.pause();
      device.setTimeout(0);
      if (scan.kind === 'too_large') return this.reject(t, device, 431, 'request head larger than 16 KiB');
      if (scan.kind === 'not_http') return this.reject(t, device, 400, 'not an HTTP request');
      const head = rewriteRequestHead(scan.head, {
        hostHeader: this.options.hostHeader,
        via: `connector/${this.options.name}`,
      });
      this.forward(t, device, Buffer.concat([head, scan.rest]));
    };
    device.on('data', onData);
    device.once('end', () => {
      if (t.up === 0) this.finish(t, device, undefined, 'device closed before sending a request');
    });
  }

  private forward(t: Tally, device: Socket, first: Buffer): void {
    const { central, caPems, clientCertPem, clientKeyPem } = this.options;
    const upstream: TLSSocket = tlsConnect({
      host: central.host,
      port: central.port,
      // SNI only for names; the certificate is checked against the host (name or IP) either way.
      servername: isIP(central.host) ? undefined : central.host,
      ca: caPems,
      cert: clientCertPem,
      key: clientKeyPem,
      rejectUnauthorized: true,
      minVersion: 'TLSv1.2',
    });
    let established = false;
    upstream.setTimeout(TLS_CONNECT_TIMEOUT_MS, () => {
      if (!established) upstream.destroy(Object.assign(new Error('Opening handshake has timed out'), {}));
    });
    upstream.once('secureConnect', () => {
      established = true;
      upstream.setTimeout(0);
      upstream.write(first);
      t.up += first.length;
      device.on('data', (chunk: Buffer) => (t.up += chunk.length));
      upstream.on('data', (chunk: Buffer) => (t.down += chunk.length));
      device.pipe(upstream);
      upstream.pipe(device);
      device.resume();
    });
    upstream.once('error', (error: Error & { code?: string; reason?: string }) => {
      const why = describeConnectError(error, `${central.host}:${central.port}`);
      if (!established) {
        // Nothing was forwarded: tell the device in its own protocol, and never retry in clear.
        this.reject(t, device, 502, `TLS to central failed: ${why}`, 'error');
        return;
      }
      this.finish(t, device, upstream, `central connection failed: ${why}`, 'warn');
    });
    upstream.once('close', () => {
      if (established) this.finish(t, device, upstream, 'closed');
    });
    device.once('close', () => {
      if (established) this.finish(t, device, upstream, 'closed');
    });
  }

  private reject(
    t: Tally,
    device: Socket,
    status: number,
    why: string,
    level: 'warn' | 'error' = 'warn',
  ): void {
    const text = `${why}\n`;
    const statusText = { 400: 'Bad Request', 431: 'Request Header Fields Too Large', 502: 'Bad Gateway' }[
      status
    ];
    device.end(
      `HTTP/1.1 ${status} ${statusText}\r\nContent-Type: text/plain\r\nContent-Length: ${Buffer.byteLength(text)}\r\nConnection: close\r\n\r\n${text}`,
    );
    this.finish(t, device, undefined, why, level);
  }

  private readonly finished = new WeakSet<Tally>();

  private finish(
    t: Tally,
    device: Socket,
    upstream: TLSSocket | undefined,
    outcome: string,
    level: 'info' | 'warn' | 'error' = 'info',
  ): void {
    if (this.finished.has(t)) return;
    this.finished.add(t);
    if (outcome !== 'closed' || !device.destroyed) device.destroySoon();
    upstream?.destroy();
    const seconds = ((Date.now() - t.started) / 1000).toFixed(1);
    this.log[level](
      `connection ${t.id} from ${t.from}: ${outcome} after ${seconds} s, ${t.up} bytes to central, ${t.down} bytes to the device`,
    );
  }
}
