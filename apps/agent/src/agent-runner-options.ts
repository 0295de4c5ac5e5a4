import type { AgentConf } from '../../../libs/agent-conf/index.js';
import {
  AGENT_EVENTS_CAPABILITY,
  CLIENT_CERT_IN_SESSION,
  DIAGNOSTICS_CAPABILITY,
} from '../../../libs/protocol/index.js';
import type { AgentHome } from './agent-home.js';
import type { LogTail } from './diagnostics/log-tail.js';
import type { Logger } from './logger.js';
import type { TruststoreReader } from './trust.js';

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

export const AGENT_CAPABILITIES = [
  'wss',
  'mtls',
  CLIENT_CERT_IN_SESSION,
  DIAGNOSTICS_CAPABILITY,
  AGENT_EVENTS_CAPABILITY,
];
