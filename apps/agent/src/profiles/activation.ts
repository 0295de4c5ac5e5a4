import type { AgentConf } from '../../../../libs/agent-conf/index.js';
import { CloseCode, type Welcome } from '../../../../libs/protocol/index.js';
import type { CentralConnection } from '../central-connection.js';
import type { ConfWatcher } from '../conf-watcher.js';
import { connectionChanges, connectionTarget, type ConnectionTarget } from '../connection-target.js';
import type { Logger } from '../logger.js';
import type { TruststoreReader } from '../trust.js';
import { tryCandidate } from './candidate-switch.js';
import { commitStagedConf, type SwapOutcome } from './conf-swap.js';
import type { ProfileLayout } from './profile-layout.js';
import { describeProfile } from './profile-state.js';
import type { StagedProfile } from './profile-stager.js';
import { pinFromWelcome, type SigningKeyPin } from './signing-key-pin.js';

/*
 * One profile activation as a small state machine (ADR 50). In operators' words:
 *
 *   idle ──▶ staged ──▶ candidate-open ──▶ conf-swapped ──▶ adopted
 *              │  └──────────────────────────▲  (the connection does not change: no candidate)
 *              └──────────────┴──────────────────────────▶ reverted
 *
 *   staged          the profile is staged; conf/ and the connection are the running ones
 *   candidate-open  a candidate connection with the staged settings waits for central's welcome,
 *                   the running connection stays up meanwhile (agent.switch.timeout)
 *   conf-swapped    the staged conf/ replaced conf/ (the commit point of conf-swap.ts)
 *   adopted         the agent runs the new settings, on the candidate connection if there was one
 *   reverted        conf/ and the running connection stay; the reason is reported as `failed`
 *
 * The activation owns the candidate connection and the swap. The runner hands over what they need once
 * (ActivationHandover) and takes the outcome back once (`takeBack`).
 */
export type ActivationState = 'idle' | 'staged' | 'candidate-open' | 'conf-swapped' | 'adopted' | 'reverted';

const NEXT: Readonly<Record<ActivationState, readonly ActivationState[]>> = {
  idle: ['staged'],
  staged: ['candidate-open', 'conf-swapped', 'reverted'],
  'candidate-open': ['conf-swapped', 'reverted'],
  'conf-swapped': ['adopted'],
  adopted: [],
  reverted: [],
};

export type ActivationOutcome =
  | { state: 'adopted'; staged: StagedProfile; connection: CentralConnection | undefined }
  | { state: 'reverted'; reason: string };

/** What the runner hands over when an activation starts, once. */
export interface ActivationHandover {
  /** The settings the agent runs now and the connection target they gave. */
  running: { conf: AgentConf; target: ConnectionTarget };
  /** Opens a candidate connection to `target` whose hello says `candidate: true`; the running one stays. */
  openCandidate(target: ConnectionTarget, onWelcome: (welcome: Welcome) => void): CentralConnection;
  /** Paused around the agent's own swap, so that the swap is not taken for an operator's edit. */
  confWatch: Pick<ConfWatcher, 'suspend' | 'resume'>;
  /** The outcome, once: run with the adopted settings (on the candidate, if any), or go on as before. */
  takeBack(outcome: ActivationOutcome): void;
}

export interface ActivationOptions {
  staged: StagedProfile;
  layout: ProfileLayout;
  logger: Logger;
  pin: SigningKeyPin;
  readTruststore?: TruststoreReader;
  handover: ActivationHandover;
  /** The profile agent's record of what is active and staged, kept before the runner takes back. */
  record(outcome: ActivationOutcome): void;
}

export class Activation {
  private current: ActivationState = 'idle';
  private candidate: CentralConnection | undefined;
  private settle!: (outcome: ActivationOutcome) => void;
  /** Resolves once the outcome is recorded and taken back by the runner. */
  readonly outcome: Promise<ActivationOutcome>;
  private readonly name: string;

  constructor(private readonly options: ActivationOptions) {
    this.outcome = new Promise((resolve) => (this.settle = resolve));
    this.name = describeProfile(options.staged.ref);
  }

  get state(): ActivationState {
    return this.current;
  }

  /** Runs the activation to adopted or reverted; a failure on the way is the reverted outcome. */
  async run(): Promise<ActivationOutcome> {
    try {
      return await this.steps();
    } catch (error) {
      if (this.current === 'adopted' || this.current === 'reverted') throw error;
      return this.revert(`activation failed: ${(error as Error).message}`);
    }
  }

  /** The agent stops: a candidate still waiting for its welcome is closed, which reverts. */
  abandon(reason: string): void {
    if (this.current === 'candidate-open') this.candidate?.close(CloseCode.NORMAL, reason);
  }

  private async steps(): Promise<ActivationOutcome> {
    const { staged, layout, logger, handover } = this.options;
    const { running } = handover;
    this.moveTo('staged');
    let next: ConnectionTarget;
    try {
      next = connectionTarget(
        staged.conf,
        { resolve: (p) => layout.resolveFrom(layout.stagedDir, p) },
        this.options.readTruststore,
      );
    } catch (error) {
      return this.revert(`staged profile cannot connect: ${(error as Error).message}`);
    }
    const changes = connectionChanges(running, { conf: staged.conf, target: next });
    if (changes.length === 0) {
      const outcome = this.swap(undefined);
      if (outcome.state === 'adopted') logger.info(`profile ${this.name} applied (connection unchanged)`);
      return outcome;
    }
    logger.info(
      `activating profile ${this.name}: trying ${next.url} (${changes.join(', ')}) while staying on ${running.target.url}`,
    );
    this.moveTo('candidate-open');
    const candidate = await tryCandidate((onWelcome) => {
      const opened = handover.openCandidate(next, (welcome) => {
        pinFromWelcome(this.options.pin, welcome, logger);
        onWelcome(welcome);
      });
      this.candidate = opened;
      return opened;
    }, running.conf.switchTimeoutMs);
    if (!candidate.ok) {
      // tryCandidate closed it.
      return this.revert(
        `candidate connection to ${next.url} failed: ${candidate.reason}; kept ${running.target.url}`,
      );
    }
    const outcome = this.swap(candidate.connection);
    if (outcome.state === 'adopted') {
      logger.info(`switching to ${next.url}: candidate welcomed, committed profile ${this.name}`);
    }
    return outcome;
  }

  /** The crash-safe swap of conf/ (conf-swap.ts), with agent.conf polling paused around it. */
  private swap(candidate: CentralConnection | undefined): ActivationOutcome {
    const { staged, layout, handover } = this.options;
    let swapped: SwapOutcome | undefined;
    let failure: Error | undefined;
    handover.confWatch.suspend();
    try {
      swapped = commitStagedConf(layout, staged.ref);
    } catch (error) {
      failure = error as Error;
    } finally {
      handover.confWatch.resume(swapped === 'committed' ? staged.confText : undefined);
    }
    if (failure) return this.revert(`cannot swap conf/: ${failure.message}`, candidate);
    if (swapped === 'undone') {
      return this.revert('the staged conf/ disappeared during the swap; kept the current conf/', candidate);
    }
    this.moveTo('conf-swapped');
    return this.finish({ state: 'adopted', staged, connection: candidate });
  }

  private revert(reason: string, candidate?: CentralConnection): ActivationOutcome {
    candidate?.close(CloseCode.NORMAL, 'candidate connection abandoned');
    return this.finish({ state: 'reverted', reason });
  }

  private finish(outcome: ActivationOutcome): ActivationOutcome {
    this.moveTo(outcome.state);
    this.candidate = undefined;
    try {
      this.options.record(outcome);
      this.options.handover.takeBack(outcome);
    } finally {
      this.settle(outcome);
    }
    return outcome;
  }

  private moveTo(next: ActivationState): void {
    if (!NEXT[this.current].includes(next)) {
      throw new Error(`activation of ${this.name} cannot go from ${this.current} to ${next}`);
    }
    this.options.logger.debug(`activation of profile ${this.name}: ${this.current} → ${next}`);
    this.current = next;
  }
}
