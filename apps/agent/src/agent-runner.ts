import { isIP } from 'node:net';
import { agentWebSocketUrl, type AgentConf } from '../../../libs/agent-conf/index.js';
import { CloseCode, type Command, type CommandResult, type Welcome } from '../../../libs/protocol/index.js';
import { type ClientCsr } from '../../../libs/pki/index.js';
import { readEffectiveConfText } from './agent-conf-file.js';
import { AgentBearer } from './agent-bearer.js';
import { AGENT_CAPABILITIES, type AgentRunnerOptions } from './agent-runner-options.js';
import {
  retryLogLevel,
  seconds,
  targetFailure,
  verdictLine,
  verdictOf,
  type AttemptEnd,
} from './attempt-end.js';
import { Backoff } from './backoff.js';
import type { CentralConnection } from './central-connection.js';
import { CentralDialer } from './central-dialer.js';
import { ClientCertificateStore } from './client-certificate-store.js';
import { ClientIdentity } from './client-identity.js';
import { confChange } from './conf-change.js';
import { ConfWatcher } from './conf-watcher.js';
import { connectionTarget, type ConnectionTarget } from './connection-target.js';
import { DiagnosticsAgent } from './diagnostics/diagnostics-agent.js';
import { ExitCode } from './exit-codes.js';
import { InSessionCertificate } from './in-session-certificate.js';
import type { Logger } from './logger.js';
import type { ActivationHandover, ActivationOutcome } from './profiles/activation.js';
import { ProfileAgent } from './profiles/profile-agent.js';
import { ProfileReportQueue } from './profiles/profile-report-queue.js';
import { SigningKeyPin, pinFromWelcome } from './profiles/signing-key-pin.js';
import { delayAfterRefusal } from './retry-after.js';
import { StatusFile } from './status-file.js';
import { RepeatedTrustError, TruststoreWatch } from './truststore-watch.js';
import { type RestartPlan } from './upgrade/agent-restart.js';
import { UpgradeAgent } from './upgrade/upgrade-agent.js';
import { agentEvents } from './central-events/agent-events.js';
import { AGENT_VERSION } from './version.js';

/**
 * The agent's life: connect, stay connected, reconnect with backoff after any failure, follow
 * agent.conf changes, stop cleanly. `run()` resolves with the process exit code. Profile activations
 * run on their own (profiles/activation.ts): the runner hands over once and takes back once.
 */
export class AgentRunner {
  private conf: AgentConf;
  private readonly logger: Logger;
  private readonly identity: ClientIdentity;
  private readonly inSessionCertificate: InSessionCertificate;
  private readonly status: StatusFile;
  private readonly backoff: Backoff;
  private readonly watcher: ConfWatcher;
  private readonly truststore: TruststoreWatch;
  private readonly bearer: AgentBearer;
  private readonly dialer: CentralDialer;
  /** The connection in use: replaced by a candidate an activation adopted. */
  private connection: CentralConnection | undefined;
  /** The target the running settings gave (what a profile's settings are compared with). */
  private runningTarget: ConnectionTarget | undefined;
  private readonly pin: SigningKeyPin;
  private readonly profiles: ProfileAgent;
  private readonly diagnostics: DiagnosticsAgent;
  private readonly upgrades: UpgradeAgent;
  /** Set when the agent stopped to restart into a new version (agent-command does the restart). */
  restartPlan: RestartPlan | undefined;
  private readonly reports = new ProfileReportQueue((status) => this.connection?.sendFrame(status) ?? false);
  private stopping = false;
  private reconnectNow = false;
  /** Sleeping after a failure a truststore change may fix: a change wakes the agent. */
  private trustBackoff = false;

  constructor(private readonly options: AgentRunnerOptions) {
    this.conf = options.conf;
    this.logger = options.logger;
    this.bearer = new AgentBearer(options.home, this.logger, options.credential, options.enrollmentToken);
    const now = () => options.now?.() ?? new Date();
    this.identity = new ClientIdentity(new ClientCertificateStore(options.home), this.logger, now);
    this.inSessionCertificate = new InSessionCertificate(this.identity, this.logger);
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
    const capabilities = options.capabilities ?? AGENT_CAPABILITIES;
    // Profiles and diagnostics take the runner's home, logger, clock, truststore reader and timeouts as they are.
    this.profiles = new ProfileAgent({
      ...options,
      pin: this.pin,
      host: {
        bearer: () => this.bearer.secret,
        report: (status) => this.reports.report(status),
        statusChanged: (view) => this.status.update({ profile: view }),
        handOver: () => this.handOver(),
      },
      agentId: options.conf.agentId,
      agentVersion: AGENT_VERSION,
      capabilities,
    });
    this.status.update({ profile: this.profiles.view });
    this.diagnostics = new DiagnosticsAgent({
      ...options,
      agentVersion: AGENT_VERSION,
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
    this.dialer = new CentralDialer({
      logger: this.logger,
      capabilities,
      conf: () => this.conf,
      bearer: () => this.bearer.secret,
      profiles: this.profiles,
      // Every frame central sends after welcome, with the connection it came on.
      handlers: {
        onCommand: (command) => this.onCommand(command),
        onProfileFrame: (frame, connection) => this.profiles.handle(frame, connection),
        onCertificateFrame: (frame, connection) =>
          void this.inSessionCertificate.handle(frame, this.conf.agentId, connection),
        onDiagnosticsRequest: (frame, connection) => this.diagnostics.handle(frame, connection),
        onUpgradeFrame: (frame, connection) => this.upgrades.handle(frame, connection),
      },
      handshakeTimeoutMs: options.handshakeTimeoutMs,
      welcomeTimeoutMs: options.welcomeTimeoutMs,
    });
  }

  async run(): Promise<ExitCode> {
    this.watcher.start();
    this.upgrades.start();
    try {
      while (!this.stopping) {
        const end = await this.connectOnce();
        if (this.stopping) break;
        const exit = this.judge(end);
        if (exit !== undefined) return exit;
        // Not reset at welcome: only a connection that stayed up (resetWhenHealthy) starts the backoff over.
        if (this.reconnectNow) continue; // agent.conf changed: the change was logged, go right away
        // Central refused for a reason of its own and said when to come back: that, with jitter (ADR 26).
        const delay =
          end.retryAfterMs !== undefined
            ? delayAfterRefusal(end.retryAfterMs, this.options.random)
            : this.backoff.nextDelayMs();
        this.logger[retryLogLevel(end)](`${end.description}, retrying in ${seconds(delay)}`);
        this.status.update({ state: 'backoff', nodeId: null, lastError: end.description });
        this.trustBackoff = end.trustFailure === true;
        await this.backoff.wait(delay);
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
    this.backoff.wake();
    this.profiles.activation?.abandon('agent stopping');
    await this.connection?.stop('agent stopping');
  }

  /** The exit code when the attempt's end stops the agent; undefined when it reconnects. */
  private judge(end: AttemptEnd): ExitCode | undefined {
    const verdict = verdictOf(end);
    if (verdict === 'retry') return undefined;
    this.logger.error(verdictLine(verdict, end));
    if (verdict === 'certificate-revoked' || verdict === 'certificate-refused') {
      this.identity.retire();
      return undefined;
    }
    if (verdict === 'revoked') this.bearer.retire();
    const lastError = verdict === 'revoked' ? 'revoked by central' : end.description;
    this.status.update({ state: 'stopped', nodeId: null, lastError });
    return verdict === 'revoked' ? ExitCode.REVOKED : ExitCode.FAILURE;
  }

  private async connectOnce(): Promise<AttemptEnd> {
    this.reconnectNow = false;
    const conf = this.conf;
    const url = agentWebSocketUrl(conf);
    this.status.update({
      state: 'connecting',
      url,
      transport: conf.secure ? 'secure' : 'plain',
      nodeId: null,
    });
    this.logger.info(`connecting to ${url}`);
    let target: ConnectionTarget;
    if (!conf.secure) this.truststore.stop();
    try {
      target = connectionTarget(conf, this.options.home, this.options.readTruststore, (settings, paths) =>
        this.truststore.load(settings, paths),
      );
    } catch (error) {
      // Never fall back to plain: without a usable truststore there is no wss connection.
      return targetFailure(error);
    }
    this.runningTarget = target;
    const certificate = this.identity.usable(conf.agentId);
    if (conf.secure && certificate) target.clientCertificate = certificate;
    const csr = await this.identity.csrIfNeeded(conf.agentId, certificate);
    let connection = this.dialer.open(target, (welcome) => this.onWelcome(welcome, target, csr), {
      csrPem: csr?.csrPem,
    });
    this.connection = connection;
    try {
      for (;;) {
        const end = await connection.ended;
        // An activation may be under way (central may even have replaced this connection by its
        // candidate already): its outcome decides whether to go on with the candidate or reconnect.
        await this.profiles.activation?.outcome;
        if (this.stopping || !this.connection || this.connection === connection) return end;
        connection = this.connection;
      }
    } finally {
      this.backoff.cancelHealthyReset();
      this.connection = undefined;
    }
  }

  /** What an activation needs from the runner, handed over once when it starts (ADR 50). */
  private handOver(): ActivationHandover {
    const target = this.connection?.target ?? this.runningTarget;
    if (!target) throw new Error('not connected yet');
    return {
      running: { conf: this.conf, target },
      openCandidate: (next, onWelcome) => {
        const certificate = this.identity.usable(this.conf.agentId);
        if (next.secure && certificate) next.clientCertificate = certificate;
        return this.dialer.open(next, onWelcome, { candidate: true });
      },
      confWatch: this.watcher,
      takeBack: (outcome) => this.takeBack(outcome),
    };
  }

  /** An activation's outcome, taken back once: run with the adopted settings, on its candidate if any. */
  private takeBack(outcome: ActivationOutcome): void {
    if (outcome.state !== 'adopted') return; // reverted: the running settings and connection go on
    const { staged, connection: candidate } = outcome;
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
    this.connection = candidate;
    this.runningTarget = candidate.target;
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

  private onWelcome(welcome: Welcome, target: ConnectionTarget, csr: ClientCsr | undefined): void {
    this.bearer.enroll(welcome);
    if (welcome.certificateChainPem !== undefined && csr)
      this.identity.keep(csr.keyPem, welcome.certificateChainPem);
    pinFromWelcome(this.pin, welcome, this.logger);
    const endpoint = `${isIP(target.host) === 6 ? `[${target.host}]` : target.host}:${target.port}`;
    this.logger.info(`connected via ${target.secure ? 'wss' : 'ws'} to ${endpoint} (node ${welcome.nodeId})`);
    this.status.update({ state: 'connected', nodeId: welcome.nodeId, lastError: null });
    this.backoff.resetWhenHealthy(this.options.healthyAfterMs);
    // The connection is usable only once this returns: send what waited for it on the next tick.
    setImmediate(() => this.reports.flush());
    const welcomed = this.connection;
    if (welcomed) this.upgrades.welcomed(welcomed);
    if (welcomed) agentEvents.welcomed(welcomed, welcome.accepts);
  }

  private onCommand(command: Command): CommandResult {
    if (command.name === 'status.report') {
      return { type: 'command.result', id: command.id, ok: true, output: this.status.toJson() };
    }
    return { type: 'command.result', id: command.id, ok: false, output: 'not supported yet' };
  }

  private onConfText(text: string): void {
    const change = confChange(this.conf, text);
    if (change.kind === 'invalid') {
      this.logger.error('agent.conf changed but is invalid; keeping the running settings:');
      for (const issue of change.issues) this.logger.error(`  ${issue}`);
      return;
    }
    this.conf = change.conf;
    this.logger.setLevel(change.conf.logLevel);
    if (change.kind === 'same-connection') {
      this.logger.info('agent.conf changed; connection settings unchanged');
      return;
    }
    this.logger.info(change.line);
    this.reconnect('agent.conf changed');
  }

  private reconnect(reason: string): void {
    if (this.stopping) return;
    this.reconnectNow = true;
    this.backoff.reset();
    this.connection?.close(CloseCode.NORMAL, reason);
    this.backoff.wake();
  }

  /**
   * The truststore file changed. In backoff after a trust failure: reconnect now (it may be the fix).
   * Connected: the CAs are loaded again for what this connection still opens (profile downloads); the
   * next connection attempt loads them in any case.
   */
  private onTruststoreChanged(path: string): void {
    if (this.stopping) return;
    if (this.trustBackoff && this.backoff.waiting) {
      this.logger.info(`truststore ${path} changed: reconnecting now`);
      this.backoff.wake();
      return;
    }
    const target = this.connection?.target;
    if (!target?.secure || !this.conf.secure) return;
    try {
      const caPems = this.truststore.load(this.conf.trustStore, this.options.home);
      target.caPems = caPems;
      if (this.runningTarget) this.runningTarget.caPems = caPems;
      // Central guards certificate changes by what agents trust: it must hear of the new anchors now.
      this.dialer.reportTrustAnchors(this.connection, caPems);
    } catch (error) {
      if (!(error instanceof RepeatedTrustError))
        this.logger.error(`${(error as Error).message}; the current connection stays up`);
    }
  }
}
