import { isIP } from 'node:net';
import { agentWebSocketUrl, type AgentConf } from '../../../libs/agent-conf/index.js';
import {
  CLIENT_CERT_IN_SESSION,
  CloseCode,
  DIAGNOSTICS_CAPABILITY,
  PROTOCOL_VERSION,
  type Command,
  type CommandResult,
  type Hello,
  type TrustAnchor,
  type Welcome,
} from '../../../libs/protocol/index.js';
import { connectionSettingsKey, parseAgentConfText, readEffectiveConfText } from './agent-conf-file.js';
import type { AgentHome } from './agent-home.js';
import { Backoff, HEALTHY_CONNECTION_MS } from './backoff.js';
import { delayAfterRefusal } from './retry-after.js';
import { type ClientCsr } from '../../../libs/pki/index.js';
import { CentralConnection, type ConnectionEnd, type ConnectionTarget } from './central-connection.js';
import { ClientCertificateStore } from './client-certificate-store.js';
import { ClientIdentity } from './client-identity.js';
import { InSessionCertificate } from './in-session-certificate.js';
import { ConfWatcher } from './conf-watcher.js';
import { CredentialStore } from './credential-store.js';
import { DiagnosticsAgent } from './diagnostics/diagnostics-agent.js';
import type { LogTail } from './diagnostics/log-tail.js';
import { ExitCode } from './exit-codes.js';
import type { Logger } from './logger.js';
import { connectionTarget } from './connection-target.js';
import { tryCandidate, type CandidateResult } from './profiles/candidate-switch.js';
import { ProfileAgent, type ProfileHost, type ProfileStatusView } from './profiles/profile-agent.js';
import type { StagedProfile } from './profiles/profile-stager.js';
import type { SwapOutcome } from './profiles/conf-swap.js';
import { ProfileReportQueue } from './profiles/profile-report-queue.js';
import { SigningKeyPin, pinFromWelcome } from './profiles/signing-key-pin.js';
import { StatusFile } from './status-file.js';
import { TrustError, type TruststoreReader } from './trust.js';
import { RepeatedTrustError, TruststoreWatch } from './truststore-watch.js';
import { sameTrustAnchors, trustAnchorsOf } from './trust-anchors.js';
import { AGENT_VERSION } from './version.js';
import { type RestartPlan } from './upgrade/agent-restart.js';
import { UpgradeAgent } from './upgrade/upgrade-agent.js';

/** What central answers (403) to a connection that presents a revoked client certificate (ADR 31). */
const REVOKED_CERTIFICATE_REASON = 'client certificate revoked';

export interface AgentRunnerOptions {
  home: AgentHome;
  /** The validated agent.conf the agent starts with, and the text it came from. */
  conf: AgentConf;
  confText: string;
  /** The stored credential, if the agent is enrolled. */
  credential: string | undefined;
  /** Used only while there is no credential. */
  enrollmentToken: string | undefined;
  /** Reported instead of AGENT_CAPABILITIES (`--capabilities`, labs and tests). */
  capabilities?: readonly string[];
  logger: Logger;
  backoff: { baseMs: number; maxMs: number };
  random?: () => number;
  now?: () => Date;
  confPollMs?: number;
  readTruststore?: TruststoreReader;
  handshakeTimeoutMs?: number;
  welcomeTimeoutMs?: number;
  downloadTimeoutMs?: number;
  /** The backoff starts over once a connection stayed welcomed this long (HEALTHY_CONNECTION_MS). */
  healthyAfterMs?: number;
  /** How often the truststore's mtime and size are looked at, besides fs.watch (default 2 s). */
  truststorePollMs?: number;
  /** The newest log lines, for diagnostics bundles (ADR 44). */
  logTail?: LogTail;
  /** The environment (how the agent restarts into a new version, ADR 45). */
  env?: NodeJS.ProcessEnv;
}

export const AGENT_CAPABILITIES = ['wss', 'mtls', CLIENT_CERT_IN_SESSION, DIAGNOSTICS_CAPABILITY];

/**
 * The agent's life: connect, stay connected, reconnect with backoff after any failure, follow
 * agent.conf changes, stop cleanly. `run()` resolves with the process exit code.
 */
export class AgentRunner {
  private conf: AgentConf;
  private readonly logger: Logger;
  private readonly credentials: CredentialStore;
  private readonly identity: ClientIdentity;
  private readonly inSessionCertificate: InSessionCertificate;
  private readonly status: StatusFile;
  private readonly backoff: Backoff;
  private readonly watcher: ConfWatcher;
  private bearer: { secret: string; kind: 'credential' | 'token' };
  private connection: CentralConnection | undefined;
  /** The target the running settings gave (what a profile's settings are compared with). */
  private runningTarget: ConnectionTarget | undefined;
  private readonly pin: SigningKeyPin;
  private readonly profiles: ProfileAgent;
  private readonly diagnostics: DiagnosticsAgent;
  private readonly upgrades: UpgradeAgent;
  /** Set when the agent stopped to restart into a new version (agent-command does the restart). */
  restartPlan: RestartPlan | undefined;
  /** Set while a candidate switch is under way; resolves with the candidate if it was committed. */
  private handover: Promise<CentralConnection | undefined> | undefined;
  private endHandover: ((candidate: CentralConnection | undefined) => void) | undefined;
  private candidate: CentralConnection | undefined;
  /** The trust anchors central last heard from each connection (hello, then trust.report). */
  private readonly reportedTrust = new WeakMap<CentralConnection, TrustAnchor[]>();
  private readonly reports = new ProfileReportQueue((status) => this.connection?.sendFrame(status) ?? false);
  private stopping = false;
  private reconnectNow = false;
  private wake: (() => void) | undefined;
  /** Resets the backoff once the current connection has stayed welcomed long enough. */
  private healthyTimer: NodeJS.Timeout | undefined;
  private readonly truststore: TruststoreWatch;
  /** Sleeping after a failure a truststore change may fix: a change wakes the agent. */
  private trustBackoff = false;

  constructor(private readonly options: AgentRunnerOptions) {
    this.conf = options.conf;
    this.logger = options.logger;
    this.credentials = new CredentialStore(options.home);
    const now = () => options.now?.() ?? new Date();
    this.identity = new ClientIdentity(new ClientCertificateStore(options.home), this.logger, now);
    this.inSessionCertificate = new InSessionCertificate(this.identity, this.logger);
    const secret = options.credential ?? options.enrollmentToken;
    if (secret === undefined) throw new Error('AgentRunner needs a credential or an enrollment token');
    this.bearer = { secret, kind: options.credential !== undefined ? 'credential' : 'token' };
    this.status = new StatusFile(options.home, options.now, (error) =>
      this.logger.warn(`cannot write ${options.home.statusFile}: ${error.message}`),
    );
    this.backoff = new Backoff({ ...options.backoff, random: options.random });
    this.watcher = new ConfWatcher(
      options.home.confFile,
      options.confText,
      options.confPollMs ?? 1000,
      (text) => this.onConfText(text),
      (message) => this.logger.warn(`${message}; keeping the running settings`),
      readEffectiveConfText,
    );
    this.truststore = new TruststoreWatch({
      logger: this.logger,
      read: options.readTruststore,
      pollMs: options.truststorePollMs,
      onChange: (path) => this.onTruststoreChanged(path),
    });
    this.pin = new SigningKeyPin(options.home);
    this.profiles = new ProfileAgent({
      home: options.home,
      logger: this.logger,
      pin: this.pin,
      host: this.profileHost(),
      agentId: options.conf.agentId,
      agentVersion: AGENT_VERSION,
      capabilities: options.capabilities ?? AGENT_CAPABILITIES,
      readTruststore: options.readTruststore,
      downloadTimeoutMs: options.downloadTimeoutMs,
      now: options.now,
    });
    this.status.update({ profile: this.profiles.view });
    this.diagnostics = new DiagnosticsAgent({
      home: options.home,
      logger: this.logger,
      agentVersion: AGENT_VERSION,
      logTail: options.logTail,
      readTruststore: options.readTruststore,
      now: options.now,
      host: {
        conf: () => this.conf,
        statusJson: () => this.status.toJson(),
        literalSecrets: () => [this.bearer.secret],
      },
    });
    this.upgrades = new UpgradeAgent({
      home: options.home,
      logger: this.logger,
      pin: this.pin,
      running: AGENT_VERSION,
      confText: options.confText,
      env: options.env,
      restart: (plan) => {
        this.restartPlan = plan;
        void this.stop();
      },
    });
  }

  async run(): Promise<ExitCode> {
    this.watcher.start();
    this.upgrades.start();
    try {
      while (!this.stopping) {
        const end = await this.connectOnce();
        if (this.stopping) break;
        if (end.fatal) {
          this.logger.error(`${end.description}; stopping`);
          this.status.update({ state: 'stopped', nodeId: null, lastError: end.description });
          return ExitCode.FAILURE;
        }
        if (end.closeCode === CloseCode.AGENT_REVOKED) {
          this.logger.error(
            'central revoked this agent; to admit it again an admin issues a re-enroll token (POST /api/agents/:id/re-enroll)',
          );
          this.retireCredential();
          this.status.update({ state: 'stopped', nodeId: null, lastError: 'revoked by central' });
          return ExitCode.REVOKED;
        }
        if (end.closeCode === CloseCode.CERTIFICATE_REVOKED) {
          // The credential still applies: reconnect without the certificate (central decides if that is enough).
          this.logger.error("central revoked this agent's client certificate; it is set aside");
          this.identity.retire();
        } else if (end.httpStatus === 403 && end.refusalReason === REVOKED_CERTIFICATE_REASON) {
          // Refused at the upgrade for the certificate it presented (ADR 31): presenting it again can
          // only be refused again; without it the credential decides (`optional`).
          this.logger.error(
            "central refused this agent's client certificate as revoked (HTTP 403); it is set aside, reconnecting without it",
          );
          this.identity.retire();
        }
        // Not reset at welcome: only a connection that stayed up (healthyTimer) starts the backoff over.
        if (this.reconnectNow) continue; // agent.conf changed: the change was logged, go right away
        // Central refused for a reason of its own and said when to come back: that, with jitter (ADR 26).
        const delay =
          end.retryAfterMs !== undefined
            ? delayAfterRefusal(end.retryAfterMs, this.options.random)
            : this.backoff.nextDelayMs();
        const line = `${end.description}, retrying in ${seconds(delay)}`;
        // An unusable truststore is told once (with its fix), not at every attempt while it stays so.
        if (end.truststoreError === 'repeated') this.logger.debug(line);
        else if (end.truststoreError === 'first') this.logger.error(line);
        else this.logger.warn(line);
        this.status.update({ state: 'backoff', nodeId: null, lastError: end.description });
        this.trustBackoff = end.trustFailure === true;
        await this.sleep(delay);
        this.trustBackoff = false;
      }
    } finally {
      this.watcher.stop();
      this.truststore.stop();
      this.upgrades.stop();
    }
    this.status.update({ state: 'stopped', nodeId: null });
    this.logger.info('stopped');
    return ExitCode.OK;
  }

  /** Says goodbye to central and makes `run()` resolve with 0. */
  async stop(): Promise<void> {
    if (this.stopping) return;
    this.stopping = true;
    this.watcher.stop();
    this.truststore.stop();
    this.wake?.();
    this.candidate?.close(CloseCode.NORMAL, 'agent stopping');
    await this.connection?.stop('agent stopping');
  }

  private async connectOnce(): Promise<AttemptEnd> {
    this.reconnectNow = false;
    const conf = this.conf;
    const url = agentWebSocketUrl(conf);
    const transport = conf.secure ? 'secure' : 'plain';
    this.status.update({ state: 'connecting', url, transport, nodeId: null });
    this.logger.info(`connecting to ${url}`);
    let target: ConnectionTarget;
    if (!conf.secure) this.truststore.stop();
    try {
      target = connectionTarget(conf, this.options.home, this.options.readTruststore, (settings, paths) =>
        this.truststore.load(settings, paths),
      );
    } catch (error) {
      // Never fall back to plain: without a usable truststore there is no wss connection.
      return {
        ...localFailure((error as Error).message),
        trustFailure: error instanceof TrustError,
        ...(error instanceof TrustError
          ? { truststoreError: error instanceof RepeatedTrustError ? 'repeated' : 'first' }
          : {}),
      };
    }
    this.runningTarget = target;
    const certificate = this.identity.usable(conf.agentId);
    if (conf.secure && certificate) target.clientCertificate = certificate;
    const csr = await this.identity.csrIfNeeded(conf.agentId, certificate);
    let connection = this.openConnection(
      target,
      (welcome) => this.onWelcome(welcome, target, csr),
      csr?.csrPem,
    );
    this.connection = connection;
    try {
      for (;;) {
        const end = await connection.ended;
        // A candidate switch may be under way (central may even have replaced this connection by the
        // candidate already): its outcome decides whether to go on with the candidate or reconnect.
        const next = await this.takeHandover();
        if (!next || this.stopping) return end;
        connection = next;
      }
    } finally {
      clearTimeout(this.healthyTimer);
      this.healthyTimer = undefined;
      this.connection = undefined;
    }
  }

  private openConnection(
    target: ConnectionTarget,
    onWelcome: (welcome: Welcome) => void,
    csrPem?: string,
    hello: Partial<Hello> = {},
  ): CentralConnection {
    // Central refuses certificate changes that would strand agents: it needs to know whom we trust.
    const trustAnchors = target.secure ? trustAnchorsOf(target.caPems ?? []) : undefined;
    const connection: CentralConnection = new CentralConnection({
      target,
      csrPem,
      bearer: this.bearer.secret,
      hello: {
        type: 'hello',
        agentId: this.conf.agentId,
        agentVersion: AGENT_VERSION,
        protocolVersion: PROTOCOL_VERSION,
        capabilities: [...(this.options.capabilities ?? AGENT_CAPABILITIES)],
        profileSha256: this.profiles.activeSha256,
        stagedProfileSha256: this.profiles.stagedSha256,
        candidate: false,
        transport: target.secure ? 'secure' : 'plain',
        ...(trustAnchors ? { trustAnchors } : {}),
        groups: this.conf.groups,
        ...hello,
      },
      logger: this.logger,
      onWelcome,
      onCommand: (command) => this.onCommand(command),
      onProfileFrame: (frame) => this.profiles.handle(frame, connection),
      onCertificateFrame: (frame) =>
        void this.inSessionCertificate.handle(frame, this.conf.agentId, connection),
      onDiagnosticsRequest: (frame) => this.diagnostics.handle(frame, connection),
      onUpgradeFrame: (frame) => this.upgrades.handle(frame, connection),
      handshakeTimeoutMs: this.options.handshakeTimeoutMs,
      welcomeTimeoutMs: this.options.welcomeTimeoutMs,
    });
    if (trustAnchors) this.reportedTrust.set(connection, trustAnchors);
    return connection;
  }

  /**
   * The running connection's truststore changed without a reconnect (the file was replaced and
   * reloaded): tells central the new anchors with `trust.report`. False when nothing was sent (no
   * usable secure connection, or central already has these anchors).
   */
  reportTrustAnchors(caPems: readonly string[]): boolean {
    const connection = this.connection;
    if (!connection?.target.secure) return false;
    const anchors = trustAnchorsOf(caPems);
    const reported = this.reportedTrust.get(connection);
    if (reported && sameTrustAnchors(reported, anchors)) return false;
    if (!connection.sendFrame({ type: 'trust.report', trustAnchors: anchors })) return false;
    this.reportedTrust.set(connection, anchors);
    this.logger.info(`reported ${anchors.length} trust anchor(s) to central`);
    return true;
  }

  private async takeHandover(): Promise<CentralConnection | undefined> {
    const pending = this.handover;
    if (!pending) return undefined;
    const next = await pending;
    if (this.handover === pending) this.handover = undefined;
    return next;
  }

  private profileHost(): ProfileHost {
    return {
      running: () => {
        const target = this.connection?.target ?? this.runningTarget;
        if (!target) throw new Error('not connected yet');
        return { conf: this.conf, target };
      },
      bearer: () => this.bearer.secret,
      report: (status) => this.reports.report(status),
      statusChanged: (view) => this.onProfileStatus(view),
      openCandidate: (target, timeoutMs) => this.openCandidate(target, timeoutMs),
      swapConf: (swap, staged) => this.swapConf(swap, staged),
      adopt: (staged, candidate) => this.adopt(staged, candidate),
      abandon: (candidate) => this.abandon(candidate),
    };
  }

  private openCandidate(target: ConnectionTarget, timeoutMs: number): Promise<CandidateResult> {
    this.handover = new Promise((resolve) => (this.endHandover = resolve));
    const certificate = this.identity.usable(this.conf.agentId);
    if (target.secure && certificate) target.clientCertificate = certificate;
    return tryCandidate((onWelcome) => {
      // Said at hello, so central does not take a restarted agent's hello for the candidate's.
      this.candidate = this.openConnection(
        target,
        (welcome) => {
          pinFromWelcome(this.pin, welcome, this.logger);
          onWelcome(welcome);
        },
        undefined,
        { candidate: true },
      );
      return this.candidate;
    }, timeoutMs);
  }

  /** The agent's own swap: agent.conf polling must not take it for an operator's edit (no reconnect). */
  private swapConf(swap: () => SwapOutcome, staged: StagedProfile): SwapOutcome {
    this.watcher.suspend();
    let outcome: SwapOutcome | undefined;
    try {
      outcome = swap();
      return outcome;
    } finally {
      this.watcher.resume(outcome === 'committed' ? staged.confText : undefined);
    }
  }

  private adopt(staged: StagedProfile, candidate: CentralConnection | undefined): void {
    const groupsChanged = this.conf.groups.join(',') !== staged.conf.groups.join(',');
    this.conf = staged.conf;
    this.logger.setLevel(staged.conf.logLevel);
    // Groups travel in hello only (ADR 37); a reconnect per agent of a rollout is not worth it.
    if (groupsChanged) {
      this.logger.info(
        `agent.group is now ${staged.conf.groups.join(',') || 'empty'}; central hears it at the next connection`,
      );
    }
    if (!candidate) return;
    const previous = this.connection;
    this.candidate = undefined;
    this.connection = candidate;
    this.runningTarget = candidate.target;
    this.endHandover?.(candidate);
    this.endHandover = undefined;
    previous?.close(CloseCode.NORMAL, `switched to ${candidate.target.url}`);
    this.status.update({
      state: 'connected',
      url: candidate.target.url,
      transport: candidate.target.secure ? 'secure' : 'plain',
      nodeId: candidate.welcomed?.nodeId ?? null,
      lastError: null,
    });
    this.reports.flush();
  }

  private abandon(candidate: CentralConnection | undefined): void {
    candidate?.close(CloseCode.NORMAL, 'candidate connection abandoned');
    this.candidate = undefined;
    this.endHandover?.(undefined);
    this.endHandover = undefined;
  }

  private onProfileStatus(view: ProfileStatusView): void {
    this.status.update({ profile: view });
  }

  private onWelcome(welcome: Welcome, target: ConnectionTarget, csr: ClientCsr | undefined): void {
    if (welcome.credential !== undefined) {
      // Stored before anything else: an enrollment token may be single-use.
      try {
        this.credentials.write(welcome.credential);
      } catch (error) {
        throw new Error(
          `cannot store the credential in ${this.options.home.credentialFile}: ${(error as Error).message}`,
        );
      }
      this.bearer = { secret: welcome.credential, kind: 'credential' };
      this.logger.info(`enrolled as ${welcome.agentId}; credential stored in state/credential`);
    }
    if (welcome.certificateChainPem !== undefined && csr)
      this.identity.keep(csr.keyPem, welcome.certificateChainPem);
    pinFromWelcome(this.pin, welcome, this.logger);
    const endpoint = `${isIP(target.host) === 6 ? `[${target.host}]` : target.host}:${target.port}`;
    this.logger.info(`connected via ${target.secure ? 'wss' : 'ws'} to ${endpoint} (node ${welcome.nodeId})`);
    this.status.update({ state: 'connected', nodeId: welcome.nodeId, lastError: null });
    clearTimeout(this.healthyTimer);
    this.healthyTimer = setTimeout(
      () => this.backoff.reset(),
      this.options.healthyAfterMs ?? HEALTHY_CONNECTION_MS,
    );
    // The connection is usable only once this returns: send what waited for it on the next tick.
    setImmediate(() => this.reports.flush());
    const welcomed = this.connection;
    if (welcomed) this.upgrades.welcomed(welcomed);
  }

  private onCommand(command: Command): CommandResult {
    if (command.name === 'status.report') {
      return { type: 'command.result', id: command.id, ok: true, output: this.status.toJson() };
    }
    return { type: 'command.result', id: command.id, ok: false, output: 'not supported yet' };
  }

  private onConfText(text: string): void {
    const loaded = parseAgentConfText(text);
    if (!loaded.ok) {
      this.logger.error('agent.conf changed but is invalid; keeping the running settings:');
      for (const issue of loaded.issues) this.logger.error(`  ${issue}`);
      return;
    }
    const previous = this.conf;
    this.conf = loaded.conf;
    this.logger.setLevel(loaded.conf.logLevel);
    const sameGroups = previous.groups.join(',') === loaded.conf.groups.join(',');
    if (connectionSettingsKey(previous) === connectionSettingsKey(loaded.conf) && sameGroups) {
      this.logger.info('agent.conf changed; connection settings unchanged');
      return;
    }
    // Groups are reported in hello only (ADR 37): a new hello is how central learns them.
    this.logger.info(
      `agent.conf changed${sameGroups ? '' : ` (agent.group now ${loaded.conf.groups.join(',') || 'empty'})`}: ` +
        `reconnecting via ${agentWebSocketUrl(loaded.conf)}`,
    );
    this.reconnect('agent.conf changed');
  }

  private reconnect(reason: string): void {
    if (this.stopping) return;
    this.reconnectNow = true;
    this.backoff.reset();
    this.connection?.close(CloseCode.NORMAL, reason);
    this.wake?.();
  }

  /**
   * The truststore file changed. In backoff after a trust failure: reconnect now (it may be the fix).
   * Connected: the CAs are loaded again for what this connection still opens (profile downloads); the
   * next connection attempt loads them in any case.
   */
  private onTruststoreChanged(path: string): void {
    if (this.stopping) return;
    if (this.trustBackoff && this.wake) {
      this.logger.info(`truststore ${path} changed: reconnecting now`);
      this.wake();
      return;
    }
    const target = this.connection?.target;
    if (!target?.secure || !this.conf.secure) return;
    try {
      const caPems = this.truststore.load(this.conf.trustStore, this.options.home);
      target.caPems = caPems;
      if (this.runningTarget) this.runningTarget.caPems = caPems;
      // Central guards certificate changes by what agents trust: it must hear of the new anchors now.
      this.reportTrustAnchors(caPems);
    } catch (error) {
      if (!(error instanceof RepeatedTrustError))
        this.logger.error(`${(error as Error).message}; the current connection stays up`);
    }
  }

  private retireCredential(): void {
    try {
      this.credentials.retire();
    } catch (error) {
      this.logger.warn(`cannot move the revoked credential aside: ${(error as Error).message}`);
    }
  }

  private sleep(ms: number): Promise<void> {
    return new Promise((resolve) => {
      const done = (): void => {
        clearTimeout(timer);
        this.wake = undefined;
        resolve();
      };
      const timer = setTimeout(done, ms);
      this.wake = done;
    });
  }
}

/** How a connection attempt ended; `truststoreError` when the truststore could not be used at all. */
type AttemptEnd = ConnectionEnd & { truststoreError?: 'first' | 'repeated' };

function localFailure(description: string): ConnectionEnd {
  return { welcome: undefined, closeCode: undefined, httpStatus: undefined, description, fatal: undefined };
}

function seconds(ms: number): string {
  return `${(ms / 1000).toFixed(1)} s`;
}
