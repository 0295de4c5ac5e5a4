import { resolve } from 'node:path';
import { ConfigError } from './config-error.js';
import { readEnvironment } from './environment.js';

/** Process configuration, read once from the environment at boot (docs/design.md §2). */
export interface CentralConfig {
  http: { host: string; port: number };
  dataDir: string;
  /** Absent ⇒ the embedded PostgreSQL under `<dataDir>/pg`. */
  databaseUrl: string | undefined;
  /** Base64 or hex of 32 bytes; absent ⇒ `<dataDir>/master.key`. */
  masterKey: Buffer | undefined;
  adminPassword: string | undefined;
  /** Interval of WebSocket pings to agents; two missed pongs mark an agent disconnected. */
  heartbeatIntervalMs: number;
  /** Name of this central node in listings; defaults to host name + process id. */
  nodeName: string | undefined;
  /** Host names agents use to reach central: an imported certificate's SAN must cover them. */
  agentHosts: string[];
  /**
   * Reverse proxies in front of the admin port whose `X-Forwarded-For` is believed (addresses, CIDR
   * ranges, `loopback`…): the client address then comes from that header, for the login limit and the
   * audit log. Empty: the header is ignored (anyone could send it).
   */
  trustedProxies: string[];
  /** How often `<dataDir>/certs/` is checked for dropped certificate files. */
  certDropIntervalMs: number;
  /** Admin sessions end after `idleSeconds` without a request (sliding) and `maxSeconds` after login. */
  session: { idleSeconds: number; maxSeconds: number };
  /** Failed logins allowed per sliding minute, per account and per address (ADR 11). */
  loginFailuresPerMinute: number;
  /** Connections of this process's PostgreSQL pool. */
  databasePoolSize: number;
  /**
   * Admission control of agent connections (ADR 26): upgrades + hellos in progress at once, and those
   * waiting for a place; the rest are answered 503 with Retry-After.
   */
  admission: { inProgress: number; waiting: number; maxWaitMs: number };
  /** Agent connections this process holds at most; undefined ⇒ the open-files limit minus a reserve. */
  maxAgentConnections: number | undefined;
  /**
   * Agent listener ports of this node only, instead of the cluster-wide settings: several nodes on one
   * host behind a TCP load balancer each bind their own (ADR 34). Undefined ⇒ the settings' port.
   */
  agentPorts: { plain: number | undefined; secure: number | undefined };
  /** Folder of the admin UI files; undefined ⇒ the built `dist/ui` next to the code. */
  uiDir: string | undefined;
}

export { ConfigError } from './config-error.js';

/** Hellos in progress per pool connection by default: a hello's writes are batched (ADR 26). */
const HELLOS_PER_POOL_CONNECTION = 20;

/** A short queue behind the hellos in progress; an upgrade waits in it at most 5 s. */
function admissionOf(inProgress: number): CentralConfig['admission'] {
  return { inProgress, waiting: inProgress * 4, maxWaitMs: 5000 };
}

/**
 * Validates the whole environment (environment.ts, every variable at once) and returns the process's
 * part of it; a wrong value throws ConfigError naming each variable.
 */
export function loadCentralConfig(env: NodeJS.ProcessEnv = process.env): CentralConfig {
  const e = readEnvironment(env);
  const clashes = portClashes(e);
  if (clashes.length > 0) throw new ConfigError(clashes);
  return {
    http: { host: e.SWITCHYARD_HTTP_HOST, port: e.SWITCHYARD_HTTP_PORT },
    dataDir: resolve(e.SWITCHYARD_DATA_DIR),
    databaseUrl: e.DATABASE_URL,
    masterKey: e.SWITCHYARD_MASTER_KEY,
    adminPassword: e.SWITCHYARD_ADMIN_PASSWORD,
    heartbeatIntervalMs: e.SWITCHYARD_HEARTBEAT_INTERVAL_MS,
    nodeName: e.SWITCHYARD_NODE_NAME,
    agentHosts: e.SWITCHYARD_AGENT_HOSTS,
    trustedProxies: e.SWITCHYARD_TRUSTED_PROXIES,
    certDropIntervalMs: e.SWITCHYARD_CERTS_POLL_SECONDS * 1000,
    session: {
      idleSeconds: Math.round(e.SWITCHYARD_SESSION_IDLE_MINUTES * 60),
      maxSeconds: Math.round(e.SWITCHYARD_SESSION_MAX_HOURS * 3600),
    },
    loginFailuresPerMinute: e.SWITCHYARD_LOGIN_FAILURES_PER_MINUTE,
    databasePoolSize: e.SWITCHYARD_DATABASE_POOL_SIZE,
    admission: admissionOf(
      e.SWITCHYARD_MAX_CONCURRENT_HELLOS ?? e.SWITCHYARD_DATABASE_POOL_SIZE * HELLOS_PER_POOL_CONNECTION,
    ),
    maxAgentConnections: e.SWITCHYARD_MAX_AGENT_CONNECTIONS,
    agentPorts: { plain: e.SWITCHYARD_AGENT_PLAIN_PORT, secure: e.SWITCHYARD_AGENT_SECURE_PORT },
    uiDir: e.SWITCHYARD_UI_DIR,
  };
}

/** This node's ports must differ from each other: a clash would only show later as "address in use". */
function portClashes(e: {
  SWITCHYARD_HTTP_PORT: number;
  SWITCHYARD_AGENT_PLAIN_PORT?: number | undefined;
  SWITCHYARD_AGENT_SECURE_PORT?: number | undefined;
}): Array<{ variable: string; message: string }> {
  const issues: Array<{ variable: string; message: string }> = [];
  const {
    SWITCHYARD_HTTP_PORT: http,
    SWITCHYARD_AGENT_PLAIN_PORT: plain,
    SWITCHYARD_AGENT_SECURE_PORT: secure,
  } = e;
  if (plain !== undefined && plain === http)
    issues.push({
      variable: 'SWITCHYARD_AGENT_PLAIN_PORT',
      message: `must differ from SWITCHYARD_HTTP_PORT (both ${http})`,
    });
  if (secure !== undefined && secure === http)
    issues.push({
      variable: 'SWITCHYARD_AGENT_SECURE_PORT',
      message: `must differ from SWITCHYARD_HTTP_PORT (both ${http})`,
    });
  if (plain !== undefined && plain === secure)
    issues.push({
      variable: 'SWITCHYARD_AGENT_SECURE_PORT',
      message: `must differ from SWITCHYARD_AGENT_PLAIN_PORT (both ${plain})`,
    });
  return issues;
}

/** Injection token for the CentralConfig object. */
export const CENTRAL_CONFIG = Symbol('CENTRAL_CONFIG');
