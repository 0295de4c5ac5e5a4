import WebSocket from 'ws';
import { PROTOCOL_VERSION, type Transport } from '../../libs/protocol/index.js';

export interface RawAgentOptions {
  url: string;
  agentId: string;
  secret: string | undefined;
  ca?: string;
  /** Client certificate chain and key, presented when the listener asks (mutual TLS). */
  cert?: string;
  key?: string;
  /** Extra upgrade headers (e.g. the CSR header). */
  headers?: Record<string, string>;
  origin?: string;
  autoPong?: boolean;
  localAddress?: string;
}

/** A hand-driven agent connection, for tests that need to send bad frames or skip pongs. */
export class RawAgent {
  readonly socket: WebSocket;
  readonly frames: Array<Record<string, unknown>> = [];
  readonly closed: Promise<{ code: number; reason: string }>;
  readonly opened: Promise<void>;

  constructor(readonly options: RawAgentOptions) {
    const headers: Record<string, string> = { ...options.headers, 'x-switchyard-agent-id': options.agentId };
    if (options.secret) headers.authorization = `Bearer ${options.secret}`;
    if (options.origin) headers.origin = options.origin;
    this.socket = new WebSocket(options.url, {
      headers,
      ca: options.ca,
      cert: options.cert,
      key: options.key,
      autoPong: options.autoPong ?? true,
      localAddress: options.localAddress,
    });
    this.socket.on('error', () => undefined);
    this.socket.on('message', (data) =>
      this.frames.push(JSON.parse(data.toString()) as Record<string, unknown>),
    );
    this.closed = new Promise((resolve) =>
      this.socket.on('close', (code, reason) => resolve({ code, reason: reason.toString() })),
    );
    this.opened = new Promise((resolve, reject) => {
      this.socket.once('open', () => resolve());
      this.socket.once('unexpected-response', (_req, res) => reject(new Error(`HTTP ${res.statusCode}`)));
      this.socket.once('error', reject);
    });
  }

  hello(transport: Transport = 'plain', extra: Record<string, unknown> = {}): void {
    this.send({
      type: 'hello',
      agentId: this.options.agentId,
      agentVersion: '0.1.0',
      protocolVersion: PROTOCOL_VERSION,
      capabilities: ['wss'],
      profileSha256: null,
      transport,
      ...extra,
    });
  }

  send(frame: unknown): void {
    this.socket.send(typeof frame === 'string' ? frame : JSON.stringify(frame));
  }

  async welcome(timeoutMs = 5000): Promise<Record<string, unknown>> {
    const deadline = Date.now() + timeoutMs;
    while (Date.now() < deadline) {
      const w = this.frames.find((f) => f.type === 'welcome');
      if (w) return w;
      await new Promise((r) => setTimeout(r, 20));
    }
    throw new Error(`no welcome for ${this.options.agentId}`);
  }

  /** Connects, says hello and waits for welcome. */
  static async connect(options: RawAgentOptions, transport: Transport = 'plain'): Promise<RawAgent> {
    const agent = new RawAgent(options);
    await agent.opened;
    agent.hello(transport);
    await agent.welcome();
    return agent;
  }
}
