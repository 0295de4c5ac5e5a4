import WebSocket, { type RawData } from 'ws';
import {
  CloseCode,
  MAX_FRAME_BYTES,
  encodeFrame,
  parseCentralFrame,
  profileRefusalOf,
  type AgentFrame,
  type Hello,
  type PackageChunk,
  type ProfileChunk,
  type Welcome,
} from '../../../libs/protocol/index.js';
import { CentralFrameRouter, type CentralFrameHandlers } from './central-frame-router.js';
import { describeCloseCode, describeConnectError, isCertificateError } from './connection-errors.js';
import type { ConnectionTarget } from './connection-target.js';
import { readRefusalReason } from './refusal-reason.js';
import { parseRetryAfter } from './retry-after.js';
import type { Logger } from './logger.js';
import { socketOptions } from './socket-options.js';
import type { TlsSessionCache } from './tls-session-cache.js';

export interface CentralConnectionOptions extends CentralFrameHandlers<CentralConnection> {
  target: ConnectionTarget;
  /** Credential, or enrollment token on first contact. Never logged. */
  bearer: string;
  hello: Hello;
  /** Sent at the upgrade (CSR_HEADER) while the agent needs a client certificate; the key stays local. */
  csrPem?: string;
  logger: Logger;
  /** Runs before anything else is done with a welcome (stores an issued credential); throwing is fatal. */
  onWelcome(welcome: Welcome): void;
  handshakeTimeoutMs?: number;
  welcomeTimeoutMs?: number;
  /** Offers the last TLS session of the target so a reconnect resumes (ADR 53). */
  tlsSessions?: TlsSessionCache;
}

/** How a connection ended. */
export interface ConnectionEnd {
  /** The welcome, if central sent one on this connection. */
  welcome: Welcome | undefined;
  /** The close code, when a WebSocket had been established. */
  closeCode: number | undefined;
  /** The HTTP status, when central refused the upgrade. */
  httpStatus: number | undefined;
  /** The wait central asked for with its refusal (`Retry-After`, ms), if it gave one. */
  retryAfterMs?: number;
  /** Why central refused the upgrade, from the body of its answer (`{"error": "…"}`), if it said. */
  refusalReason?: string;
  /** Plain words for the log and status.json. */
  description: string;
  /** A local failure that must stop the agent (e.g. the credential could not be stored). */
  fatal: Error | undefined;
  /** The truststore was unusable, or does not accept central's certificate: a truststore change may fix it. */
  trustFailure?: boolean;
}

/** Central pings every heartbeatIntervalMs; silence for this many intervals means the link is dead. */
export const HEARTBEAT_TOLERANCE = 2.5;
const DEFAULT_WELCOME_TIMEOUT_MS = 15_000;
const CLOSE_GRACE_MS = 1_500;

/**
 * One WebSocket connection to central: sends hello, waits for welcome, watches the heartbeat, answers
 * commands. It never throws out of a socket callback; `ended` always resolves, exactly once.
 */
export class CentralConnection {
  readonly ended: Promise<ConnectionEnd>;
  private resolveEnded!: (end: ConnectionEnd) => void;
  private readonly socket: WebSocket | undefined;
  private readonly endpoint: string;
  private welcome: Welcome | undefined;
  private opened = false;
  private done = false;
  /** The first known cause of the end wins over what the socket reports afterwards. */
  private cause:
    | {
        description: string;
        httpStatus?: number;
        retryAfterMs?: number;
        refusalReason?: string;
        fatal?: Error;
        trust?: boolean;
      }
    | undefined;
  private watchdog: NodeJS.Timeout | undefined;
  private killTimer: NodeJS.Timeout | undefined;
  private readonly router: CentralFrameRouter<CentralConnection>;

  constructor(private readonly options: CentralConnectionOptions) {
    this.ended = new Promise((resolve) => (this.resolveEnded = resolve));
    const { target } = options;
    this.endpoint = `${target.host}:${target.port}`;
    this.router = new CentralFrameRouter(options, this, options.logger, (frame) => this.send(frame));
    try {
      this.socket = new WebSocket(target.url, {
        ...socketOptions(target, { ...options, agentId: options.hello.agentId }),
        ...options.tlsSessions?.clientOptions(target),
      });
    } catch (error) {
      this.cause = { description: `cannot connect to ${target.url}: ${(error as Error).message}` };
      this.finish(undefined);
      return;
    }
    const socket = this.socket;
    socket.on('error', (error) => this.onError(error));
    socket.on('unexpected-response', (_request, response) => {
      const status = response.statusCode ?? 0;
      // Central says why in the body ({"error": "…"}): read a little of it, then give up the socket.
      void readRefusalReason(response).then((reason) => {
        this.cause ??= {
          httpStatus: status,
          retryAfterMs: parseRetryAfter(response.headers['retry-after']),
          ...(reason ? { refusalReason: reason } : {}),
          description:
            (status === 401
              ? 'central refused the credential (HTTP 401)'
              : `central refused the connection (HTTP ${status}${response.statusMessage ? ' ' + response.statusMessage : ''})`) +
            (reason ? `: ${reason}` : ''),
        };
        socket.terminate();
      });
    });
    socket.on('open', () => this.onOpen());
    socket.on('message', (data, isBinary) => this.onMessage(data, isBinary));
    socket.on('ping', () => this.armHeartbeatWatchdog());
    socket.on('close', (code, reason) => {
      this.finish(code, reason.toString('utf8'));
    });
  }

  get welcomed(): Welcome | undefined {
    return this.welcome;
  }

  get target(): ConnectionTarget {
    return this.options.target;
  }

  /** Welcomed and not closing: frames sent now reach central. */
  get usable(): boolean {
    return this.welcome !== undefined && !this.done && this.socket?.readyState === WebSocket.OPEN;
  }

  /** Sends a frame if the connection is usable; false otherwise (the caller keeps it for later). */
  sendFrame(frame: AgentFrame): boolean {
    if (!this.usable) return false;
    this.send(frame);
    return true;
  }

  /** Hands every profile.chunk frame to `listener` (a fetch over the session) until the returned function runs. */
  onProfileChunk(listener: (chunk: ProfileChunk) => void): () => void {
    return this.router.onProfileChunk(listener);
  }

  /** Hands every package.chunk frame to `listener` (an upgrade's download) until the returned function runs. */
  onPackageChunk(listener: (chunk: PackageChunk) => void): () => void {
    return this.router.onPackageChunk(listener);
  }

  /** Says goodbye (if connected) and closes with 1000; resolves when closed, after at most ~1.5 s. */
  stop(reason = 'agent stopping'): Promise<ConnectionEnd> {
    this.cause ??= { description: reason };
    if (this.socket?.readyState === WebSocket.OPEN) this.send({ type: 'goodbye', reason });
    this.close(CloseCode.NORMAL, reason);
    return this.ended;
  }

  /** Closes with `code`; `description` becomes the end's description. */
  close(code: number, description: string): void {
    this.cause ??= { description };
    const socket = this.socket;
    if (!socket || this.done) return;
    if (socket.readyState === WebSocket.CONNECTING) {
      socket.terminate();
      return;
    }
    if (socket.readyState === WebSocket.OPEN) socket.close(code, description.slice(0, 120));
    // A peer that never answers the close handshake must not hold the agent.
    this.killTimer ??= setTimeout(() => socket.terminate(), CLOSE_GRACE_MS);
  }

  private onError(error: Error & { code?: string }): void {
    if (isCertificateError(error)) this.options.tlsSessions?.forget(this.options.target);
    if (!this.opened) {
      this.cause ??= {
        description: describeConnectError(error, this.endpoint),
        ...(isCertificateError(error) ? { trust: true } : {}),
      };
    } else {
      // ws closes by itself afterwards (1009 for an oversized frame, 1002 for a protocol error).
      this.options.logger.warn(
        `connection to central: ${error.message}${error.code ? ` (${error.code})` : ''}`,
      );
      if (error.code === 'WS_ERR_UNSUPPORTED_MESSAGE_LENGTH') {
        this.cause ??= {
          description: `central sent a frame over ${MAX_FRAME_BYTES / 1024} KiB; closed with 1009`,
        };
      } else if (error.code?.startsWith('WS_ERR_')) {
        this.cause ??= { description: `central broke the WebSocket protocol: ${error.message}` };
      }
    }
  }

  private onOpen(): void {
    this.opened = true;
    this.send(this.options.hello);
    const ms = this.options.welcomeTimeoutMs ?? DEFAULT_WELCOME_TIMEOUT_MS;
    this.watchdog = setTimeout(() => this.abort(`no welcome from central within ${seconds(ms)}`), ms);
  }

  private onMessage(data: RawData, isBinary: boolean): void {
    if (this.welcome) this.armHeartbeatWatchdog();
    if (isBinary) return this.refuse(CloseCode.INVALID_PAYLOAD, 'binary frame');
    const text = rawText(data);
    const parsed = parseCentralFrame(text);
    if (!parsed.ok) {
      // An unknown type may come from a newer central: ignore it rather than drop the connection.
      if (parsed.closeCode === CloseCode.POLICY_VIOLATION) {
        this.options.logger.warn(`ignoring a frame from central: ${parsed.reason}`);
        return;
      }
      // A profile frame this agent refuses fails its delivery; closing would only bring it back after
      // the reconnect, in a loop (ADR 29).
      const refusal = this.welcome ? profileRefusalOf(text, parsed.reason) : undefined;
      if (refusal) {
        this.options.logger.warn(`${refusal.reason}; answered profile.status failed`);
        this.send(refusal);
        return;
      }
      return this.refuse(parsed.closeCode, parsed.reason);
    }
    const frame = parsed.frame;
    if (frame.type === 'welcome') return this.onWelcome(frame);
    this.router.route(frame, this.welcome !== undefined);
  }

  private onWelcome(welcome: Welcome): void {
    if (this.welcome) {
      this.options.logger.warn('ignoring a second welcome from central');
      return;
    }
    if (welcome.agentId !== this.options.hello.agentId) {
      return this.refuse(CloseCode.POLICY_VIOLATION, `welcome is for agent ${welcome.agentId}`);
    }
    this.welcome = welcome;
    clearTimeout(this.watchdog);
    try {
      this.options.onWelcome(welcome);
    } catch (error) {
      this.cause ??= { description: (error as Error).message, fatal: error as Error };
      this.close(1011, 'agent error');
      return;
    }
    this.armHeartbeatWatchdog();
  }

  private armHeartbeatWatchdog(): void {
    if (!this.welcome || this.done) return;
    clearTimeout(this.watchdog);
    this.watchdog = setTimeout(
      () => this.abort('lost heartbeat from central'),
      this.welcome.heartbeatIntervalMs * HEARTBEAT_TOLERANCE,
    );
  }

  private refuse(code: number, reason: string): void {
    const description = `central sent an invalid frame: ${reason}`;
    this.options.logger.warn(`${description}; closing with ${code}`);
    this.close(code, description);
  }

  private abort(description: string): void {
    this.cause ??= { description };
    this.socket?.terminate();
  }

  private send(frame: AgentFrame): void {
    if (this.socket?.readyState !== WebSocket.OPEN) return;
    this.socket.send(encodeFrame(frame), (error) => {
      if (error) this.options.logger.debug(`send failed: ${error.message}`);
    });
  }

  private finish(code: number | undefined, reason = ''): void {
    if (this.done) return;
    this.done = true;
    clearTimeout(this.watchdog);
    clearTimeout(this.killTimer);
    const opened = this.opened && code !== undefined;
    const description =
      this.cause?.description ??
      (opened
        ? `connection closed by central (${describeCloseCode(code, reason)})`
        : `connection to ${this.endpoint} closed before it was established`);
    this.resolveEnded({
      welcome: this.welcome,
      closeCode: opened ? code : undefined,
      httpStatus: this.cause?.httpStatus,
      ...(this.cause?.retryAfterMs !== undefined ? { retryAfterMs: this.cause.retryAfterMs } : {}),
      ...(this.cause?.refusalReason !== undefined ? { refusalReason: this.cause.refusalReason } : {}),
      description,
      fatal: this.cause?.fatal,
      ...(this.cause?.trust ? { trustFailure: true } : {}),
    });
  }
}

function rawText(data: RawData): string {
  if (Array.isArray(data)) return Buffer.concat(data).toString('utf8');
  if (data instanceof ArrayBuffer) return Buffer.from(data).toString('utf8');
  return data.toString('utf8');
}

function seconds(ms: number): string {
  return `${Number((ms / 1000).toFixed(1))} s`;
}
