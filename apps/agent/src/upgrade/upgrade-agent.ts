import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { PropertiesDocument } from '../../../../libs/properties/index.js';
import type { AgentUpgrade, AgentUpgradeStatus } from '../../../../libs/protocol/index.js';
import type { AgentHome } from '../agent-home.js';
import { ensureDirectory, writeFileAtomic } from '../atomic-file.js';
import { STATE_DIR_MODE } from '../credential-store.js';
import type { Logger } from '../logger.js';
import type { SigningKeyPin } from '../profiles/signing-key-pin.js';
import { restartPlan, type RestartPlan } from './agent-restart.js';
import { fetchPackage, type PackageChannel } from './package-fetch.js';
import { checkUpgrade, installPackage, isDowngrade } from './package-installer.js';
import { type Trial, UpgradeLayout } from './upgrade-layout.js';

/** `agent.upgrade.timeout` (seconds): how long a new version may take to reach welcome. */
export const UPGRADE_TIMEOUT_KEY = 'agent.upgrade.timeout';
export const DEFAULT_UPGRADE_TIMEOUT_MS = 60_000;
/** Exit code of a new version that gives up (no welcome in time): the launcher goes back. */
export const UPGRADE_GAVE_UP_EXIT_CODE = 1;

export interface UpgradeOptions {
  home: AgentHome;
  logger: Logger;
  pin: SigningKeyPin;
  /** The version this process runs (AGENT_VERSION). */
  running: string;
  /** The agent.conf text the agent started with, for agent.upgrade.timeout when conf/ cannot be read. */
  confText: string;
  /** The runner stops and the process restarts into `versions/current` (see agent-restart.ts). */
  restart: (plan: RestartPlan) => void;
  env?: NodeJS.ProcessEnv;
  exit?: (code: number) => void;
  downloadTimeoutMs?: number;
}

/** A connection, as far as upgrades use it. */
export type UpgradeChannel = PackageChannel;

/**
 * Agent upgrades (issue 17 point 5, ADR 45). An `agent.upgrade` is checked (central's signature with the
 * pinned key, platform, Node.js), downloaded over the session, installed into `versions/<version>/`
 * beside the running one, then `versions/current` points at it and a trial is recorded, and the agent
 * restarts. The new version keeps itself once welcomed; if it is not welcomed within
 * agent.upgrade.timeout, or exits first, the launcher goes back to the previous version, which reports
 * `failed` with the reason at its next welcome.
 */
export class UpgradeAgent {
  private readonly layout: UpgradeLayout;
  private readonly trial: Trial | undefined;
  private trialTimer: NodeJS.Timeout | undefined;
  private busy = false;

  constructor(private readonly options: UpgradeOptions) {
    this.layout = new UpgradeLayout(options.home);
    let trial: Trial | undefined;
    try {
      trial = this.layout.readTrial();
    } catch (error) {
      options.logger.warn(`cannot read ${this.layout.trialFile}: ${(error as Error).message}`);
    }
    this.trial = trial?.version === options.running ? trial : undefined;
  }

  /**
   * Notes the process id when started by the package launcher (an agent that restarted itself by hand
   * runs under a new pid: `kill $(cat state/agent.pid)` stops it). On a trial start: gives up after
   * agent.upgrade.timeout without a welcome.
   */
  start(): void {
    if ((this.options.env ?? process.env).SWITCHYARD_AGENT_LAUNCHER) {
      try {
        ensureDirectory(this.options.home.stateDir, STATE_DIR_MODE);
        writeFileAtomic(join(this.options.home.stateDir, 'agent.pid'), `${process.pid}\n`, 0o644);
      } catch (error) {
        this.options.logger.warn(`cannot write state/agent.pid: ${(error as Error).message}`);
      }
    }
    const trial = this.trial;
    if (!trial) return;
    this.options.logger.info(
      `trying version ${trial.version} (previous ${trial.previous}): it stays if central welcomes it within ${trial.timeoutMs / 1000} s`,
    );
    this.trialTimer = setTimeout(() => {
      const reason = `version ${trial.version} did not reach welcome within ${trial.timeoutMs / 1000} s`;
      this.options.logger.error(`${reason}; going back to ${trial.previous}`);
      try {
        this.layout.writeTrial({ ...trial, reason });
      } catch (error) {
        this.options.logger.warn(
          `cannot note the reason in ${this.layout.trialFile}: ${(error as Error).message}`,
        );
      }
      (this.options.exit ?? process.exit)(UPGRADE_GAVE_UP_EXIT_CODE);
    }, trial.timeoutMs);
    this.trialTimer.unref?.();
  }

  stop(): void {
    clearTimeout(this.trialTimer);
  }

  /** A connection was welcomed: a trial version keeps itself; a rollback is reported. */
  welcomed(channel: UpgradeChannel): void {
    if (this.trial && this.trialTimer) {
      clearTimeout(this.trialTimer);
      this.trialTimer = undefined;
      this.layout.endTrial();
      this.options.logger.info(`version ${this.trial.version} reached welcome: it stays`);
      const trial = this.trial;
      setImmediate(() => channel.sendFrame(status(trial.deliveryId, trial.version, 'upgraded')));
    }
    const rollback = this.layout.readRollback();
    if (rollback) {
      setImmediate(() => {
        const sent = channel.sendFrame(
          status(rollback.deliveryId, rollback.version, 'failed', rollback.reason),
        );
        if (sent) this.layout.clearRollback();
      });
    }
  }

  /** agent.conf as it is now (a profile may have replaced it since the start). */
  private currentConfText(): string {
    return readConf(this.options.home.confFile) ?? this.options.confText;
  }

  /** `agent.upgrade`: one at a time; every outcome is answered with `agent.upgrade.status`. */
  handle(frame: AgentUpgrade, channel: UpgradeChannel): void {
    // One at a time, and not while this very version is still on trial (not welcomed yet).
    if (this.busy || this.trialTimer !== undefined) {
      this.options.logger.warn(`agent.upgrade to ${frame.version} ignored: an upgrade is under way`);
      return;
    }
    this.busy = true;
    void this.upgrade(frame, channel).finally(() => (this.busy = false));
  }

  private async upgrade(frame: AgentUpgrade, channel: UpgradeChannel): Promise<void> {
    const { logger, running } = this.options;
    const report = (state: AgentUpgradeStatus['state'], reason?: string) =>
      channel.sendFrame(status(frame.deliveryId, frame.version, state, reason));
    try {
      checkUpgrade(frame, this.options.pin.read(), running);
      const plan = restartPlan(this.options.env ?? process.env);
      if (plan.kind === 'impossible') throw new Error(plan.reason);
      logger.info(
        `upgrading from ${running} to ${frame.version}${isDowngrade(frame.version, running) ? ' (a downgrade central asked for)' : ''}`,
      );
      report('downloading');
      const archive = await fetchPackage(
        channel,
        frame.sha256,
        frame.sizeBytes,
        this.options.downloadTimeoutMs ?? 120_000,
      );
      const dir = installPackage(this.layout, archive, frame, running);
      report('installed');
      logger.info(`version ${frame.version} installed in ${dir}`);
      this.layout.writeTrial({
        version: frame.version,
        previous: this.layout.current() ?? running,
        deliveryId: frame.deliveryId,
        timeoutMs: upgradeTimeoutMs(this.currentConfText()),
      });
      this.layout.setCurrent(frame.version);
      report('restarting');
      logger.info(`restarting into version ${frame.version}`);
      this.options.restart(plan);
    } catch (error) {
      const reason = (error as Error).message;
      logger.error(`upgrade to ${frame.version} refused: ${reason}; still running ${running}`);
      report('failed', reason.slice(0, 1024));
    }
  }
}

function readConf(path: string): string | undefined {
  try {
    return readFileSync(path, 'utf8');
  } catch {
    return undefined;
  }
}

function status(
  deliveryId: string,
  version: string,
  state: AgentUpgradeStatus['state'],
  reason?: string,
): AgentUpgradeStatus {
  return { type: 'agent.upgrade.status', deliveryId, version, state, ...(reason ? { reason } : {}) };
}

/** `agent.upgrade.timeout` from agent.conf (whole seconds 5-3600), else the default. */
export function upgradeTimeoutMs(confText: string): number {
  let value: string | undefined;
  try {
    value = PropertiesDocument.parse(confText).get(UPGRADE_TIMEOUT_KEY)?.trim();
  } catch {
    return DEFAULT_UPGRADE_TIMEOUT_MS;
  }
  if (value === undefined || !/^\d+$/.test(value)) return DEFAULT_UPGRADE_TIMEOUT_MS;
  const seconds = Number(value);
  return seconds >= 5 && seconds <= 3600 ? seconds * 1000 : DEFAULT_UPGRADE_TIMEOUT_MS;
}
