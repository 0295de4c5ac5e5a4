import type {
  AgentFrame,
  AgentUpgrade,
  CentralFrame,
  CertificateIssued,
  CertificateOffer,
  Command,
  CommandResult,
  DiagnosticsRequest,
  PackageChunk,
  ProfileActivate,
  ProfileChunk,
  ProfileSync,
} from '../../../libs/protocol/index.js';
import type { Logger } from './logger.js';

/** Before welcome these are dropped without a word (answers to nothing asked yet); the others are logged. */
const DROPPED_QUIETLY = new Set<CentralFrame['type']>([
  'profile.chunk',
  'package.chunk',
  'diagnostics.request',
]);

/**
 * Who handles what central sends once it welcomed the agent, each told the connection it came on
 * (`C`, the connection class: answers go out through its `sendFrame`).
 */
export interface CentralFrameHandlers<C> {
  onCommand(command: Command, connection: C): CommandResult;
  /** profile.sync and profile.activate. */
  onProfileFrame?(frame: ProfileSync | ProfileActivate, connection: C): void;
  /** certificate.offer and certificate.issued (ADR 31). */
  onCertificateFrame?(frame: CertificateOffer | CertificateIssued, connection: C): void;
  /** diagnostics.request (ADR 44). */
  onDiagnosticsRequest?(frame: DiagnosticsRequest, connection: C): void;
  /** agent.upgrade (ADR 45). */
  onUpgradeFrame?(frame: AgentUpgrade, connection: C): void;
}

/**
 * Routes central's frames (all but welcome) to their handlers: nothing before welcome, and the chunks of
 * a fetch over the session to whoever listens for them. A new kind of central frame gets its line here.
 */
export class CentralFrameRouter<C> {
  private readonly profileChunks = new Set<(chunk: ProfileChunk) => void>();
  private readonly packageChunks = new Set<(chunk: PackageChunk) => void>();

  constructor(
    private readonly handlers: CentralFrameHandlers<C>,
    private readonly connection: C,
    private readonly logger: Logger,
    private readonly send: (frame: AgentFrame) => void,
  ) {}

  /** Hands every profile.chunk frame to `listener` (a fetch over the session) until the returned function runs. */
  onProfileChunk(listener: (chunk: ProfileChunk) => void): () => void {
    this.profileChunks.add(listener);
    return () => this.profileChunks.delete(listener);
  }

  /** Hands every package.chunk frame to `listener` (an upgrade's download) until the returned function runs. */
  onPackageChunk(listener: (chunk: PackageChunk) => void): () => void {
    this.packageChunks.add(listener);
    return () => this.packageChunks.delete(listener);
  }

  route(frame: Exclude<CentralFrame, { type: 'welcome' }>, welcomed: boolean): void {
    if (!welcomed) {
      if (frame.type === 'command') this.logger.warn(`ignoring command ${frame.name} sent before welcome`);
      else if (!DROPPED_QUIETLY.has(frame.type))
        this.logger.warn(`ignoring ${frame.type} sent before welcome`);
      return;
    }
    switch (frame.type) {
      case 'command':
        this.logger.info(`command ${frame.name} (${frame.id}) from central`);
        this.send(this.handlers.onCommand(frame, this.connection));
        return;
      case 'profile.sync':
      case 'profile.activate':
        return this.handlers.onProfileFrame?.(frame, this.connection);
      case 'certificate.offer':
      case 'certificate.issued':
        return this.handlers.onCertificateFrame?.(frame, this.connection);
      case 'profile.chunk':
        for (const listener of [...this.profileChunks]) listener(frame);
        return;
      case 'package.chunk':
        for (const listener of [...this.packageChunks]) listener(frame);
        return;
      case 'diagnostics.request':
        return this.handlers.onDiagnosticsRequest?.(frame, this.connection);
      case 'agent.upgrade':
        return this.handlers.onUpgradeFrame?.(frame, this.connection);
    }
  }
}
