import { createHash } from 'node:crypto';
import { type AgentConf } from '../../../../libs/agent-conf/index.js';
import {
  DIAGNOSTICS_CHUNK_BYTES,
  type AgentFrame,
  type DiagnosticsRequest,
} from '../../../../libs/protocol/index.js';
import type { AgentHome } from '../agent-home.js';
import type { Logger } from '../logger.js';
import type { TruststoreReader } from '../trust.js';
import { buildDiagnosticsBundle } from './diagnostics-bundle.js';
import { LOG_TAIL_BYTES, type LogTail } from './log-tail.js';

/** What the bundle needs from the running agent, read when a request comes. */
export interface DiagnosticsHost {
  conf(): AgentConf;
  statusJson(): string;
  /** Secrets held literally (the credential), scrubbed from every file of the bundle. */
  literalSecrets(): string[];
}

export interface DiagnosticsAgentOptions {
  home: AgentHome;
  logger: Logger;
  agentVersion: string;
  host: DiagnosticsHost;
  /** The agent's log tail; without one (tests, embedded runners) agent.log is empty. */
  logTail?: LogTail;
  readTruststore?: TruststoreReader;
  now?: () => Date;
}

/** Chunks sent at once before pacing starts: central allows a burst of 200 frames, 50 a second after. */
const UNPACED_CHUNKS = 64;
const PACE_MS = 25;

/**
 * Answers `diagnostics.request` (ADR 44): builds the bundle, shortens the log tail until it fits the size
 * central asked for, and uploads it over the same connection in chunks, then `diagnostics.result` with
 * its size and SHA-256. One request at a time; a lost connection ends the upload (central marks it failed).
 */
export class DiagnosticsAgent {
  private queue: Promise<void> = Promise.resolve();

  constructor(private readonly options: DiagnosticsAgentOptions) {}

  handle(request: DiagnosticsRequest, connection: { sendFrame(frame: AgentFrame): boolean }): void {
    this.queue = this.queue
      .then(() => this.answer(request, connection))
      .catch((error: Error) =>
        this.options.logger.warn(`diagnostics bundle ${request.requestId}: ${error.message}`),
      );
  }

  /** Resolves once every request received so far was answered (tests). */
  idle(): Promise<void> {
    return this.queue;
  }

  private async answer(
    request: DiagnosticsRequest,
    connection: { sendFrame(frame: AgentFrame): boolean },
  ): Promise<void> {
    const { logger } = this.options;
    const id = request.requestId;
    logger.info(`central asked for a diagnostics bundle (${id}, at most ${request.maxBytes} bytes)`);
    let bundle: Buffer;
    try {
      bundle = await this.build(request);
    } catch (error) {
      const reason = `cannot build the diagnostics bundle: ${(error as Error).message}`.slice(0, 1000);
      logger.warn(reason);
      connection.sendFrame({ type: 'diagnostics.result', requestId: id, error: reason });
      return;
    }
    if (bundle.length > request.maxBytes) {
      const reason = `the bundle is ${bundle.length} bytes even with a short log tail, over the ${request.maxBytes}-byte limit central set`;
      logger.warn(reason);
      connection.sendFrame({ type: 'diagnostics.result', requestId: id, error: reason });
      return;
    }
    let sent = 0;
    for (let offset = 0; offset < bundle.length; offset += DIAGNOSTICS_CHUNK_BYTES) {
      const data = bundle.subarray(offset, offset + DIAGNOSTICS_CHUNK_BYTES).toString('base64');
      if (!connection.sendFrame({ type: 'diagnostics.chunk', requestId: id, offset, data })) {
        logger.warn(`diagnostics bundle ${id}: the connection closed during the upload`);
        return;
      }
      if (++sent >= UNPACED_CHUNKS) await new Promise((resolve) => setTimeout(resolve, PACE_MS));
    }
    const sha256 = createHash('sha256').update(bundle).digest('hex');
    if (connection.sendFrame({ type: 'diagnostics.result', requestId: id, sizeBytes: bundle.length, sha256 }))
      logger.info(`diagnostics bundle ${id} sent: ${bundle.length} bytes, sha256 ${sha256}`);
  }

  /** The bundle with the longest log tail that fits `maxBytes` (a quarter as much at each try). */
  private async build(request: DiagnosticsRequest): Promise<Buffer> {
    const { host } = this.options;
    let limit = LOG_TAIL_BYTES;
    for (let attempt = 0; ; attempt++) {
      const bundle = await buildDiagnosticsBundle({
        requestId: request.requestId,
        agentId: host.conf().agentId,
        agentVersion: this.options.agentVersion,
        home: this.options.home,
        conf: host.conf(),
        logText: this.options.logTail?.text(limit) ?? '',
        statusJson: host.statusJson(),
        literalSecrets: host.literalSecrets(),
        readTruststore: this.options.readTruststore,
        now: this.options.now,
      });
      if (bundle.length <= request.maxBytes || attempt >= 3) return bundle;
      limit = Math.floor(limit / 4);
    }
  }
}
