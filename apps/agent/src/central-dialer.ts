import type { AgentConf } from '../../../libs/agent-conf/index.js';
import { PROTOCOL_VERSION, type TrustAnchor, type Welcome } from '../../../libs/protocol/index.js';
import { CentralConnection } from './central-connection.js';
import type { CentralFrameHandlers } from './central-frame-router.js';
import type { ConnectionTarget } from './connection-target.js';
import type { Logger } from './logger.js';
import { TlsSessionCache } from './tls-session-cache.js';
import { sameTrustAnchors, trustAnchorsOf } from './trust-anchors.js';
import { AGENT_VERSION } from './version.js';

export interface CentralDialerOptions {
  logger: Logger;
  capabilities: readonly string[];
  /** Read at each connection: the running settings and the secret (a welcome may replace a token). */
  conf(): AgentConf;
  bearer(): string;
  /** What hello reports about profiles, read at each connection. */
  profiles: { readonly activeSha256: string | null; readonly stagedSha256: string | null };
  /** Where central's frames go, on every connection. */
  handlers: CentralFrameHandlers<CentralConnection>;
  handshakeTimeoutMs?: number;
  welcomeTimeoutMs?: number;
}

/**
 * Opens connections to central with this agent's hello — who it is, what it runs and has staged, whom it
 * trusts — and remembers the trust anchors central last heard from each (hello, then trust.report).
 */
export class CentralDialer {
  private readonly reportedTrust = new WeakMap<CentralConnection, TrustAnchor[]>();
  /** Each connection offers the last TLS session of its target: a reconnect resumes (ADR 53). */
  private readonly tlsSessions = new TlsSessionCache();

  constructor(private readonly options: CentralDialerOptions) {}

  /** `candidate`: the connection an activation opens to try new settings (ADR 28); `csrPem`: see hello. */
  open(
    target: ConnectionTarget,
    onWelcome: (welcome: Welcome) => void,
    extra: { csrPem?: string; candidate?: boolean } = {},
  ): CentralConnection {
    const { options } = this;
    const conf = options.conf();
    // Central refuses certificate changes that would strand agents: it needs to know whom we trust.
    const trustAnchors = target.secure ? trustAnchorsOf(target.caPems ?? []) : undefined;
    const connection = new CentralConnection({
      target,
      csrPem: extra.csrPem,
      bearer: options.bearer(),
      hello: {
        type: 'hello',
        agentId: conf.agentId,
        agentVersion: AGENT_VERSION,
        protocolVersion: PROTOCOL_VERSION,
        capabilities: [...options.capabilities],
        profileSha256: options.profiles.activeSha256,
        stagedProfileSha256: options.profiles.stagedSha256,
        // Said at hello, so central does not take a restarted agent's hello for a candidate's.
        candidate: extra.candidate ?? false,
        transport: target.secure ? 'secure' : 'plain',
        ...(trustAnchors ? { trustAnchors } : {}),
        groups: conf.groups,
      },
      logger: options.logger,
      onWelcome,
      ...options.handlers,
      handshakeTimeoutMs: options.handshakeTimeoutMs,
      welcomeTimeoutMs: options.welcomeTimeoutMs,
      tlsSessions: this.tlsSessions,
    });
    if (trustAnchors) this.reportedTrust.set(connection, trustAnchors);
    return connection;
  }

  /**
   * The connection's truststore changed without a reconnect (the file was replaced and reloaded): tells
   * central the new anchors with `trust.report`. False when nothing was sent (no usable secure
   * connection, or central already has these anchors).
   */
  reportTrustAnchors(connection: CentralConnection | undefined, caPems: readonly string[]): boolean {
    if (!connection?.target.secure) return false;
    const anchors = trustAnchorsOf(caPems);
    const reported = this.reportedTrust.get(connection);
    if (reported && sameTrustAnchors(reported, anchors)) return false;
    if (!connection.sendFrame({ type: 'trust.report', trustAnchors: anchors })) return false;
    this.reportedTrust.set(connection, anchors);
    this.options.logger.info(`reported ${anchors.length} trust anchor(s) to central`);
    return true;
  }
}
