import { type LogLevel } from './agent-conf.keys.js';
import { type LocalApiSecurity, type PasswordHash } from './agent-conf.local-api.js';

/** The truststore formats the agent reads. */
export type TrustStoreType = 'jks' | 'pkcs12';

/** Where the agent finds the certificates it trusts when connecting with TLS. */
export interface TrustStoreSettings {
  /** As written in agent.conf; a relative path is relative to the agent home (the caller resolves it). */
  path: string;
  password: string;
  type: TrustStoreType;
}

/** The agent's local API (agent.local.api.*): status and file transfer for local software (ADR 43). */
export interface LocalApiSettings {
  enabled: boolean;
  security: LocalApiSecurity;
  bindAddress: string;
  port: number;
  /** Bytes. */
  maxFileSize: number;
  /** Bytes the file transfer area may hold in total. */
  quota: number;
  /** Operator-provided server certificate and key (paths as written; both or neither), else the agent's. */
  tlsCertFile: string | undefined;
  tlsKeyFile: string | undefined;
  /** CA certificates client certificates must chain to; undefined: central's local CA. */
  tlsCaFile: string | undefined;
  user: string;
  /** Set whenever `security` is `https-password`. */
  passwordHash: PasswordHash | undefined;
}

/** A validated agent.conf: everything the agent needs to know to reach central. */
export interface AgentConf {
  centralHost: string;
  plainPort: number;
  secure: boolean;
  securePort: number;
  agentId: string;
  /** Sorted, without repeats; empty when the agent belongs to no group. */
  groups: string[];
  switchTimeoutMs: number;
  /** `agent.upgrade.timeout`: a new version not welcomed within it is abandoned by the launcher. */
  upgradeTimeoutMs: number;
  logLevel: LogLevel;
  /** `profile.local.keys`: the keys the profile declares local, beyond the built-in ones. */
  localKeys: string[];
  trustStore: TrustStoreSettings;
  localApi: LocalApiSettings;
}
