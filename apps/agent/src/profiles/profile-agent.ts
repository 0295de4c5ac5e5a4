import type { ProfileActivate, ProfileStatus, ProfileSync } from '../../../../libs/protocol/index.js';
import type { AgentHome } from '../agent-home.js';
import type { CentralConnection } from '../central-connection.js';
import type { Logger } from '../logger.js';
import type { TruststoreReader } from '../trust.js';
import { Activation, type ActivationHandover, type ActivationOutcome } from './activation.js';
import { DEFAULT_DOWNLOAD_TIMEOUT_MS, downloadProfileArchive } from './profile-download.js';
import { fetchOverSession } from './session-fetch.js';
import { ProfileLayout } from './profile-layout.js';
import { profileFailureReason, ProfileRefusal } from './profile-refusal.js';
import { describeProfile, readActiveProfile, type ProfileRef } from './profile-state.js';
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

/** The runner's side of profile work: its secret, where reports go, and an activation's handover. */
export interface ProfileHost {
  bearer(): string;
  /** Sends now on the current connection, or as soon as there is one again. */
  report(status: ProfileStatus): void;
  statusChanged(view: ProfileStatusView): void;
  /** An activation starts: what it needs from the runner, handed over once (ADR 50). */
  handOver(): ActivationHandover;
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
 * activation), acknowledging each step with profile.status. An activation runs as its own state machine
 * (activation.ts): the current conf/ keeps running whatever fails; only a welcomed candidate connection
 * (or a profile that does not change the connection) leads to the swap.
 */
export class ProfileAgent {
  private readonly layout: ProfileLayout;
  private readonly logger: Logger;
  private active: ProfileRef | null;
  private staged: StagedProfile | undefined;
  private lastError: ProfileStatusView['lastError'] = null;
  private queue: Promise<void> = Promise.resolve();
  private underWay: Activation | undefined;

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

  /** The activation under way, if any: the runner waits for its outcome when its connection ends. */
  get activation(): Activation | undefined {
    return this.underWay;
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
    const activation = new Activation({
      staged,
      layout: this.layout,
      logger: this.logger,
      pin: this.options.pin,
      readTruststore: this.options.readTruststore,
      handover: this.options.host.handOver(),
      record: (outcome) => this.record(outcome),
    });
    this.underWay = activation;
    const outcome = await activation.run();
    if (outcome.state === 'adopted') this.report(frame, 'applied');
    else this.fail(frame, ref, 'activate', outcome.reason);
  }

  /** What is active and staged once an activation ended; before the runner takes the outcome back. */
  private record(outcome: ActivationOutcome): void {
    this.underWay = undefined;
    if (outcome.state === 'adopted') {
      this.active = outcome.staged.ref;
      this.staged = undefined;
      this.clearErrorOf(outcome.staged.ref);
    } else {
      // What the revert left staged: still the profile, unless a swap that undid itself removed it.
      this.staged = readStagedProfile(this.layout);
    }
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
