import type { AgentConf } from '../../../../libs/agent-conf/index.js';
import type { ProfileActivate, ProfileStatus, ProfileSync } from '../../../../libs/protocol/index.js';
import type { AgentHome } from '../agent-home.js';
import type { CentralConnection, ConnectionTarget } from '../central-connection.js';
import { connectionChanges, connectionTarget } from '../connection-target.js';
import type { Logger } from '../logger.js';
import { describeProfile, readActiveProfile, type ProfileRef } from '../profile-state.js';
import type { TruststoreReader } from '../trust.js';
import type { CandidateResult } from './candidate-switch.js';
import { commitStagedConf, type SwapOutcome } from './conf-swap.js';
import { DEFAULT_DOWNLOAD_TIMEOUT_MS, downloadProfileArchive } from './profile-download.js';
import { fetchOverSession } from './session-fetch.js';
import { ProfileLayout } from './profile-layout.js';
import { profileFailureReason, ProfileRefusal } from './profile-refusal.js';
import { readStagedProfile, stageProfile, type StagedProfile } from './profile-stager.js';
import type { SigningKeyPin } from './signing-key-pin.js';

/** What status.json shows about profiles. */
export interface ProfileStatusView {
  active: ProfileRef | null;
  staged: ProfileRef | null;
  lastError: {
    profile: string;
    revision: number;
    sha256: string;
    step: 'synchronize' | 'activate';
    reason: string;
    at: string;
  } | null;
}

/** The runner's side of profile work: its connections, settings and reports. */
export interface ProfileHost {
  /** The running agent.conf and the connection it gave. */
  running(): { conf: AgentConf; target: ConnectionTarget };
  bearer(): string;
  /** Sends now on the current connection, or as soon as there is one again. */
  report(status: ProfileStatus): void;
  statusChanged(view: ProfileStatusView): void;
  /** Opens a candidate connection to `target` that reports `staged` in its hello; the runner waits for it. */
  openCandidate(target: ConnectionTarget, timeoutMs: number): Promise<CandidateResult>;
  /** Runs the swap with agent.conf polling suspended, so the agent's own swap is not an operator's edit. */
  swapConf(swap: () => SwapOutcome, staged: StagedProfile): SwapOutcome;
  /** The swap is done: run with the new settings, on `candidate` if there was one (closing the old connection). */
  adopt(staged: StagedProfile, candidate: CentralConnection | undefined): void;
  /** The switch is over without a commit: the runner goes on with its current (or a new, old-style) connection. */
  abandon(candidate: CentralConnection | undefined): void;
}

export interface ProfileAgentOptions {
  home: AgentHome;
  logger: Logger;
  pin: SigningKeyPin;
  host: ProfileHost;
  agentId: string;
  agentVersion: string;
  capabilities: readonly string[];
  readTruststore?: TruststoreReader;
  downloadTimeoutMs?: number;
  now?: () => Date;
}

/**
 * Synchronizes and activates profiles one step at a time (frames are queued, so a sync never races an
 * activation), acknowledging each step with profile.status. The current conf/ keeps running whatever
 * fails; only a welcomed candidate connection (or a profile that does not change the connection) leads
 * to the swap.
 */
export class ProfileAgent {
  private readonly layout: ProfileLayout;
  private readonly logger: Logger;
  private active: ProfileRef | null;
  private staged: StagedProfile | undefined;
  private lastError: ProfileStatusView['lastError'] = null;
  private queue: Promise<void> = Promise.resolve();

  constructor(private readonly options: ProfileAgentOptions) {
    this.layout = new ProfileLayout(options.home);
    this.logger = options.logger;
    this.active = readActiveProfile(options.home, (m) => this.logger.warn(m));
    this.staged = readStagedProfile(this.layout);
  }

  get activeSha256(): string | null {
    return this.active?.sha256 ?? null;
  }

  get stagedSha256(): string | null {
    return this.staged?.ref.sha256 ?? null;
  }

  get view(): ProfileStatusView {
    return { active: this.active, staged: this.staged?.ref ?? null, lastError: this.lastError };
  }

  /** Queues a frame; `connection` is the one it came on (the archive is fetched from the same listener). */
  handle(frame: ProfileSync | ProfileActivate, connection: CentralConnection): void {
    this.queue = this.queue
      .then(() => (frame.type === 'profile.sync' ? this.sync(frame, connection) : this.activate(frame)))
      .catch((error: unknown) =>
        this.logger.error(`profile work failed unexpectedly: ${(error as Error).stack}`),
      );
  }

  /** Resolves when every queued frame has been handled (tests, shutdown). */
  idle(): Promise<void> {
    return this.queue;
  }

  private async sync(frame: ProfileSync, connection: CentralConnection): Promise<void> {
    const ref = refOf(frame);
    const name = describeProfile(ref);
    if (ref.sha256 === this.activeSha256 || ref.sha256 === this.stagedSha256) {
      this.logger.info(
        `profile ${name} is already ${ref.sha256 === this.activeSha256 ? 'active' : 'staged'}`,
      );
      return this.report(frame, 'synchronized');
    }
    this.report(frame, 'synchronizing');
    this.logger.info(
      `synchronizing profile ${name} from ${connection.target.secure ? 'https' : 'http'}://${connection.target.host}:${connection.target.port}`,
    );
    try {
      const publicKey = this.options.pin.read();
      if (!publicKey)
        throw new ProfileRefusal('no profile-signing key is pinned: central has not sent one in welcome');
      const archive = await this.download(frame, connection);
      const staged = await stageProfile({
        layout: this.layout,
        archive,
        ref,
        publicKey,
        agentId: this.options.agentId,
        agentVersion: this.options.agentVersion,
        capabilities: this.options.capabilities,
        readTruststore: this.options.readTruststore,
      });
      this.staged = staged;
      this.clearErrorOf(ref);
      for (const note of staged.notes ?? []) this.logger.info(note);
      this.logger.info(`profile ${name} synchronized: staged in profiles/staged/`);
      this.report(frame, 'synchronized');
    } catch (error) {
      this.fail(frame, ref, 'synchronize', profileFailureReason(error));
    }
  }

  /**
   * The archive over https/http from the listener the agent is connected to; if that fails on a wss
   * connection (e.g. the server certificate changed since the session began and the new one is not
   * trusted yet), over the session itself (ADR 24), which needs no new handshake.
   */
  private async download(frame: ProfileSync, connection: CentralConnection): Promise<Buffer> {
    const timeoutMs = this.options.downloadTimeoutMs ?? DEFAULT_DOWNLOAD_TIMEOUT_MS;
    try {
      return await downloadProfileArchive({
        target: connection.target,
        bearer: this.options.host.bearer(),
        agentId: this.options.agentId,
        sha256: frame.sha256,
        sizeBytes: frame.sizeBytes,
        timeoutMs,
      });
    } catch (error) {
      // A central that welcomed a wss hello with trust anchors serves profile.fetch (same version).
      if (!connection.target.secure || !connection.usable) throw error;
      this.logger.warn(`${(error as Error).message}; fetching the archive over the session instead`);
      return fetchOverSession(connection, frame.sha256, frame.sizeBytes, timeoutMs);
    }
  }

  private async activate(frame: ProfileActivate): Promise<void> {
    const ref = refOf(frame);
    const name = describeProfile(ref);
    if (ref.sha256 === this.activeSha256) {
      this.logger.info(`profile ${name} is already active`);
      return this.report(frame, 'applied');
    }
    const staged = this.staged;
    if (staged?.ref.sha256 !== ref.sha256) {
      return this.fail(frame, ref, 'activate', `profile ${name} is not staged: synchronize it first`);
    }
    this.report(frame, 'applying');
    const running = this.options.host.running();
    let next: ConnectionTarget;
    try {
      next = connectionTarget(
        staged.conf,
        { resolve: (p) => this.layout.resolveFrom(this.layout.stagedDir, p) },
        this.options.readTruststore,
      );
    } catch (error) {
      return this.fail(frame, ref, 'activate', `staged profile cannot connect: ${(error as Error).message}`);
    }
    const changes = connectionChanges(running, { conf: staged.conf, target: next });
    if (changes.length === 0) {
      const outcome = this.swap(frame, staged, undefined);
      if (outcome) this.logger.info(`profile ${name} applied (connection unchanged)`);
      return;
    }
    this.logger.info(
      `activating profile ${name}: trying ${next.url} (${changes.join(', ')}) while staying on ${running.target.url}`,
    );
    const timeoutMs = running.conf.switchTimeoutMs;
    const candidate = await this.options.host.openCandidate(next, timeoutMs);
    if (!candidate.ok) {
      this.options.host.abandon(undefined);
      return this.fail(
        frame,
        ref,
        'activate',
        `candidate connection to ${next.url} failed: ${candidate.reason}; kept ${running.target.url}`,
      );
    }
    if (this.swap(frame, staged, candidate.connection)) {
      this.logger.info(`switching to ${next.url}: candidate welcomed, committed profile ${name}`);
    }
  }

  /** The swap, then the runner adopts the settings; false (and reported) when the swap failed. */
  private swap(
    frame: ProfileActivate,
    staged: StagedProfile,
    candidate: CentralConnection | undefined,
  ): boolean {
    let outcome: SwapOutcome;
    try {
      outcome = this.options.host.swapConf(() => commitStagedConf(this.layout, staged.ref), staged);
    } catch (error) {
      this.options.host.abandon(candidate);
      this.staged = readStagedProfile(this.layout);
      this.fail(frame, staged.ref, 'activate', `cannot swap conf/: ${(error as Error).message}`);
      return false;
    }
    this.staged = undefined;
    if (outcome === 'undone') {
      this.options.host.abandon(candidate);
      this.fail(
        frame,
        staged.ref,
        'activate',
        'the staged conf/ disappeared during the swap; kept the current conf/',
      );
      return false;
    }
    this.active = staged.ref;
    this.clearErrorOf(staged.ref);
    this.options.host.adopt(staged, candidate);
    this.report(frame, 'applied');
    return true;
  }

  private fail(
    frame: ProfileSync | ProfileActivate,
    ref: ProfileRef,
    step: 'synchronize' | 'activate',
    reason: string,
  ): void {
    const bounded = reason.length > 1000 ? reason.slice(0, 997) + '…' : reason;
    this.logger.warn(
      `profile ${describeProfile(ref)} ${step === 'synchronize' ? 'not synchronized' : 'not applied'}: ${bounded}`,
    );
    this.lastError = {
      ...ref,
      step,
      reason: bounded,
      at: (this.options.now?.() ?? new Date()).toISOString(),
    };
    this.report(frame, 'failed', bounded);
  }

  private clearErrorOf(ref: ProfileRef): void {
    if (this.lastError?.sha256 === ref.sha256) this.lastError = null;
  }

  private report(frame: ProfileSync | ProfileActivate, state: ProfileStatus['state'], reason?: string): void {
    this.options.host.statusChanged(this.view);
    this.options.host.report({
      type: 'profile.status',
      deliveryId: frame.deliveryId,
      sha256: frame.sha256,
      state,
      ...(reason !== undefined ? { reason } : {}),
    });
  }
}

function refOf(frame: ProfileSync | ProfileActivate): ProfileRef {
  return { profile: frame.profile, revision: frame.revision, sha256: frame.sha256 };
}
