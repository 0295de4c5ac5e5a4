import { Injectable, Logger, type OnModuleDestroy, type OnModuleInit } from '@nestjs/common';
import { createHash } from 'node:crypto';
import { type DiagnosticsChunk, type DiagnosticsResult } from '../../../../libs/protocol/index.js';
import { type AgentSession } from '../agents/agent-session.js';
import { AgentSessions } from '../agents/agent-sessions.js';
import { type DiagnosticsSessionHooks } from '../agents/diagnostics-session.hooks.js';
import { AuditService } from '../audit/audit.service.js';
import { EventBus } from '../common/event-bus.js';
import { checkDiagnosticsBundle } from './diagnostics-bundle.check.js';
import { DiagnosticsRepository } from './diagnostics.repository.js';

/** Requests past their deadline are marked failed this often (each node; one UPDATE on a partial index). */
const SWEEP_EVERY_MS = 2000;
/** Retention (newest 5 per agent, 7 days) runs this often, and after each bundle stored. */
const PRUNE_EVERY_MS = 10 * 60_000;

/** A bundle being received on this node: the request went out on `sessionId`. */
interface Upload {
  agentId: string;
  sessionId: string;
  maxBytes: number;
  chunks: Buffer[];
  received: number;
  /** performance.now() when the request went out: an upload older than any deadline is dropped. */
  sentAt: number;
}

/** Longer than the longest deadline a request may have (600 s): what another node's sweep failed goes too. */
const FORGET_UPLOAD_AFTER_MS = 660_000;

/**
 * The session side of diagnostics (ADR 44): sends `diagnostics.request` to the sessions this node holds,
 * assembles the chunks in memory (at most the request's maxBytes each), checks size, checksum and
 * content, then stores the bundle. Whatever is refused is audited with its reason and nothing is stored.
 */
@Injectable()
export class DiagnosticsUploads implements DiagnosticsSessionHooks, OnModuleInit, OnModuleDestroy {
  private readonly logger = new Logger('diagnostics');
  private readonly uploads = new Map<string, Upload>();
  private sweepTimer: NodeJS.Timeout | undefined;
  private pruneTimer: NodeJS.Timeout | undefined;
  private stopping = false;

  constructor(
    private readonly sessions: AgentSessions,
    private readonly repo: DiagnosticsRepository,
    private readonly audit: AuditService,
    private readonly events: EventBus,
  ) {}

  onModuleInit(): void {
    this.sessions.useDiagnosticsHooks(this);
    this.events.on('diagnostics.requested', ({ requests }) => this.send(requests));
    this.sweepTimer = setInterval(() => void this.sweep(), SWEEP_EVERY_MS).unref();
    this.pruneTimer = setInterval(() => void this.prune(), PRUNE_EVERY_MS).unref();
  }

  onModuleDestroy(): void {
    this.stopping = true;
    clearInterval(this.sweepTimer);
    clearInterval(this.pruneTimer);
    this.uploads.clear();
  }

  /** Sends each request whose agent this node holds; others are held by another node (or by none: the deadline decides). */
  private send(requests: Array<{ id: string; agentId: string; maxBytes: number }>): void {
    for (const request of requests) {
      const session = this.sessions.session(request.agentId);
      if (!session?.open) continue;
      const result = session.tryDeliver({
        type: 'diagnostics.request',
        requestId: request.id,
        maxBytes: request.maxBytes,
      });
      if (result.sent) {
        this.uploads.set(request.id, {
          agentId: request.agentId,
          sessionId: session.id,
          maxBytes: request.maxBytes,
          chunks: [],
          received: 0,
          sentAt: performance.now(),
        });
      } else if (result.reason) {
        void this.fail(request.id, request.agentId, `the request could not be sent: ${result.reason}`);
      }
    }
  }

  async onFrame(session: AgentSession, frame: DiagnosticsChunk | DiagnosticsResult): Promise<void> {
    const upload = this.uploads.get(frame.requestId);
    if (!upload || upload.agentId !== session.agentId || upload.sessionId !== session.id) {
      // Looked up (and audited) once per upload: at its first chunk and at its result, not per chunk.
      if (frame.type === 'diagnostics.result' || frame.offset === 0)
        await this.refuse(
          session,
          frame.requestId,
          await this.notWaitingReason(session, frame.requestId, upload),
        );
      return;
    }
    if (frame.type === 'diagnostics.chunk') return this.receiveChunk(session, frame, upload);
    return this.complete(session, frame, upload);
  }

  onEnd(session: AgentSession): void {
    if (this.stopping) return; // the deadline marks them once central is back
    for (const [id, upload] of this.uploads) {
      if (upload.sessionId === session.id)
        void this.fail(id, upload.agentId, "the agent's session ended before the bundle arrived");
    }
  }

  private async receiveChunk(session: AgentSession, chunk: DiagnosticsChunk, upload: Upload): Promise<void> {
    if (chunk.offset !== upload.received) {
      return this.fail(
        chunk.requestId,
        upload.agentId,
        `chunk at offset ${chunk.offset}, expected ${upload.received}: the upload is out of order`,
        session.context.remoteAddress,
      );
    }
    const bytes = Buffer.from(chunk.data, 'base64');
    if (upload.received + bytes.length > upload.maxBytes) {
      return this.fail(
        chunk.requestId,
        upload.agentId,
        `the bundle exceeds the ${upload.maxBytes}-byte limit (more than ${upload.received + bytes.length} bytes sent)`,
        session.context.remoteAddress,
      );
    }
    upload.chunks.push(bytes);
    upload.received += bytes.length;
    this.logger.debug(`agent ${session.agentId}: bundle ${chunk.requestId} ${upload.received} bytes so far`);
  }

  private async complete(session: AgentSession, result: DiagnosticsResult, upload: Upload): Promise<void> {
    const id = result.requestId;
    const address = session.context.remoteAddress;
    // Whatever follows, this upload is over: a repeated result finds nothing to complete.
    this.uploads.delete(id);
    if (result.error !== undefined)
      return this.fail(id, upload.agentId, `the agent could not send the bundle: ${result.error}`, address);
    const content = Buffer.concat(upload.chunks);
    if (result.sizeBytes !== content.length) {
      return this.fail(
        id,
        upload.agentId,
        `size mismatch: the agent said ${result.sizeBytes} bytes, central received ${content.length}`,
        address,
      );
    }
    const sha256 = createHash('sha256').update(content).digest('hex');
    if (sha256 !== result.sha256) {
      return this.fail(
        id,
        upload.agentId,
        `checksum mismatch: the agent said sha256 ${result.sha256}, the bytes received hash to ${sha256}`,
        address,
      );
    }
    const check = await checkDiagnosticsBundle(content, { requestId: id, agentId: upload.agentId });
    if (!check.ok) return this.fail(id, upload.agentId, check.reason, address);
    if (!(await this.repo.markReceived(id, upload.agentId, { content, sha256 }))) {
      return this.refuse(session, id, 'the request is no longer waiting (its deadline passed)');
    }
    this.logger.log(`agent ${upload.agentId}: diagnostics bundle ${id} received (${content.length} bytes)`);
    await this.audit.record(
      { username: `agent:${upload.agentId}`, address: session.context.remoteAddress },
      'diagnostics received',
      'success',
      upload.agentId,
      { requestId: id, sizeBytes: content.length, sha256 },
    );
    await this.repo.prune(upload.agentId);
  }

  /**
   * Marks the request failed with the reason (nothing stored), and audits it: as the agent when its frames
   * were refused (`address`), as the system when central gave up on it.
   */
  private async fail(id: string, agentId: string, reason: string, address?: string): Promise<void> {
    this.uploads.delete(id);
    this.logger.warn(`agent ${agentId}: diagnostics bundle ${id} refused: ${reason}`);
    const marked = await this.repo.markFailed(id, agentId, reason).catch((error: Error) => {
      this.logger.error(`cannot mark diagnostics request ${id} failed: ${error.message}`);
      return false;
    });
    if (!marked) return;
    const actor = address !== undefined ? { username: `agent:${agentId}`, address } : 'system';
    await this.audit.record(
      actor,
      'diagnostics failed',
      address !== undefined ? 'refused' : 'failed',
      agentId,
      {
        requestId: id,
        reason,
      },
    );
  }

  /** A frame for a request this session may not answer: audited, nothing stored, no request changed. */
  private async refuse(session: AgentSession, requestId: string, reason: string): Promise<void> {
    this.logger.warn(`agent ${session.agentId}: diagnostics upload ${requestId} refused: ${reason}`);
    await this.audit.record(
      { username: `agent:${session.agentId}`, address: session.context.remoteAddress },
      'diagnostics upload refused',
      'refused',
      session.agentId,
      { requestId, reason },
    );
  }

  private async notWaitingReason(
    session: AgentSession,
    requestId: string,
    upload: Upload | undefined,
  ): Promise<string> {
    if (upload && upload.agentId !== session.agentId)
      return `request ${requestId} was sent to agent ${upload.agentId}, not to ${session.agentId}`;
    const row = await this.repo.find(requestId);
    if (!row) return `unknown diagnostics request ${requestId}`;
    if (row.agentId !== session.agentId)
      return `request ${requestId} was sent to agent ${row.agentId}, not to ${session.agentId}`;
    if (row.state !== 'requested') return `request ${requestId} is ${row.state} already`;
    return `request ${requestId} was not sent on this session`;
  }

  private async sweep(): Promise<void> {
    const now = performance.now();
    for (const [id, upload] of this.uploads)
      if (now - upload.sentAt > FORGET_UPLOAD_AFTER_MS) this.uploads.delete(id);
    try {
      for (const overdue of await this.repo.failOverdue()) {
        this.uploads.delete(overdue.id);
        this.logger.warn(
          `agent ${overdue.agentId}: diagnostics request ${overdue.id} failed: ${overdue.reason}`,
        );
        await this.audit.record('system', 'diagnostics failed', 'failed', overdue.agentId, {
          requestId: overdue.id,
          reason: overdue.reason,
        });
      }
    } catch (error) {
      if (!this.stopping) this.logger.warn(`diagnostics deadline sweep: ${(error as Error).message}`);
    }
  }

  private async prune(): Promise<void> {
    await this.repo.prune().catch((error: Error) => {
      if (!this.stopping) this.logger.warn(`diagnostics retention: ${error.message}`);
    });
  }
}
