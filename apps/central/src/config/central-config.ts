import { isIP } from 'node:net';
import { resolve } from 'node:path';
import { z } from 'zod';

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
}

export class ConfigError extends Error {
  constructor(readonly issues: Array<{ variable: string; message: string }>) {
    super('invalid configuration:\n' + issues.map((i) => `  ${i.variable}: ${i.message}`).join('\n'));
    this.name = 'ConfigError';
  }
}

const port = (name: string) =>
  z
    .string()
    .regex(/^\d+$/, `must be a port number 1-65535`)
    .transform(Number)
    .refine((n) => n >= 1 && n <= 65535, `must be a port number 1-65535`)
    .describe(name);

/** A positive decimal (`0.5` is allowed, so tests can use seconds-long sessions). */
const positive = (max: number, unit: string) =>
  z
    .string()
    .regex(/^\d+(\.\d+)?$/, `must be a number of ${unit}`)
    .transform(Number)
    .refine((n) => n > 0 && n <= max, `must be more than 0 and at most ${max}`);

const wholeNumber = (min: number, max: number) =>
  z
    .string()
    .regex(/^\d+$/, 'must be a whole number')
    .transform(Number)
    .refine((n) => n >= min && n <= max, `must be between ${min} and ${max}`);

/** Hellos in progress per pool connection by default: a hello's writes are batched (ADR 26). */
const HELLOS_PER_POOL_CONNECTION = 20;

const envSchema = z.object({
  SWITCHYARD_HTTP_HOST: z
    .string()
    .refine((v) => isIP(v) !== 0 || /^[A-Za-z0-9.-]{1,253}$/.test(v), 'must be an IP address or host name')
    .default('127.0.0.1'),
  SWITCHYARD_HTTP_PORT: port('SWITCHYARD_HTTP_PORT').default(8080),
  SWITCHYARD_DATA_DIR: z.string().min(1, 'must not be empty').default('./data'),
  DATABASE_URL: z
    .string()
    .regex(/^postgres(ql)?:\/\/.+/, 'must be a postgres:// URL')
    .refine((v) => URL.canParse(v), 'must be a valid URL')
    .optional(),
  SWITCHYARD_MASTER_KEY: z
    .string()
    .transform((v, ctx) => {
      const key = decodeKey(v);
      if (!key) {
        ctx.addIssue({ code: 'custom', message: 'must be 32 bytes as 64 hex digits or base64' });
        return z.NEVER;
      }
      return key;
    })
    .optional(),
  SWITCHYARD_ADMIN_PASSWORD: z.string().min(12, 'must be at least 12 characters').optional(),
  SWITCHYARD_HEARTBEAT_INTERVAL_MS: z
    .string()
    .regex(/^\d+$/, 'must be a whole number of milliseconds')
    .transform(Number)
    .refine((n) => n >= 1000 && n <= 600_000, 'must be between 1000 and 600000')
    .default(15_000),
  SWITCHYARD_AGENT_HOSTS: z
    .string()
    .transform((v) =>
      v
        .split(',')
        .map((h) => h.trim().toLowerCase())
        .filter(Boolean),
    )
    .refine(
      (hosts) =>
        hosts.every(
          (h) => isIP(h) !== 0 || /^(\*\.)?[a-z0-9]([a-z0-9-]{0,62})(\.[a-z0-9]([a-z0-9-]{0,62}))*$/.test(h),
        ),
      'must be a comma-separated list of host names or IP addresses',
    )
    .default([]),
  SWITCHYARD_TRUSTED_PROXIES: z
    .string()
    .transform((v) =>
      v
        .split(',')
        .map((p) => p.trim().toLowerCase())
        .filter(Boolean),
    )
    .refine(
      (proxies) => proxies.every(isProxySpec),
      'must be a comma-separated list of IP addresses, CIDR ranges (10.0.0.0/8) or loopback, linklocal, uniquelocal',
    )
    .default([]),
  SWITCHYARD_CERTS_POLL_SECONDS: z
    .string()
    .regex(/^\d+$/, 'must be a whole number of seconds')
    .transform(Number)
    .refine((n) => n >= 1 && n <= 86_400, 'must be between 1 and 86400')
    .default(15),
  SWITCHYARD_SESSION_IDLE_MINUTES: positive(24 * 60, 'minutes').default(30),
  SWITCHYARD_SESSION_MAX_HOURS: positive(30 * 24, 'hours').default(12),
  SWITCHYARD_LOGIN_FAILURES_PER_MINUTE: z
    .string()
    .regex(/^\d+$/, 'must be a whole number')
    .transform(Number)
    .refine((n) => n >= 1 && n <= 1000, 'must be between 1 and 1000')
    .default(10),
  SWITCHYARD_DATABASE_POOL_SIZE: wholeNumber(1, 500).default(10),
  SWITCHYARD_MAX_CONCURRENT_HELLOS: wholeNumber(1, 100_000).optional(),
  SWITCHYARD_MAX_AGENT_CONNECTIONS: wholeNumber(1, 10_000_000).optional(),
  SWITCHYARD_AGENT_PLAIN_PORT: port('SWITCHYARD_AGENT_PLAIN_PORT').optional(),
  SWITCHYARD_AGENT_SECURE_PORT: port('SWITCHYARD_AGENT_SECURE_PORT').optional(),
  SWITCHYARD_NODE_NAME: z
    .string()
    .regex(/^[A-Za-z0-9._-]{1,64}$/, 'must be 1-64 characters of A-Z a-z 0-9 . _ -')
    .optional(),
});

/** A short queue behind the hellos in progress; an upgrade waits in it at most 5 s. */
function admissionOf(inProgress: number): CentralConfig['admission'] {
  return { inProgress, waiting: inProgress * 4, maxWaitMs: 5000 };
}

function decodeKey(value: string): Buffer | undefined {
  if (/^[0-9a-fA-F]{64}$/.test(value)) return Buffer.from(value, 'hex');
  if (/^[A-Za-z0-9+/]{43}=?$/.test(value)) {
    const key = Buffer.from(value, 'base64');
    return key.length === 32 ? key : undefined;
  }
  return undefined;
}

/** An address, a CIDR range or one of Express's named ranges, as `trust proxy` takes them. */
function isProxySpec(spec: string): boolean {
  if (['loopback', 'linklocal', 'uniquelocal'].includes(spec)) return true;
  const [address, bits, ...rest] = spec.split('/');
  const family = isIP(address ?? '');
  if (family === 0 || rest.length > 0) return false;
  if (bits === undefined) return true;
  const n = /^\d{1,3}$/.test(bits) ? Number(bits) : NaN;
  return n >= 0 && n <= (family === 4 ? 32 : 128);
}

/** Validates the environment once; a wrong value throws ConfigError naming each variable. */
export function loadCentralConfig(env: NodeJS.ProcessEnv = process.env): CentralConfig {
  // Empty variables are treated as unset, as shells and compose files often export them empty.
  const present = Object.fromEntries(Object.entries(env).filter(([, v]) => v !== undefined && v !== ''));
  const parsed = envSchema.safeParse(present);
  if (!parsed.success) {
    throw new ConfigError(
      parsed.error.issues.map((i) => ({ variable: String(i.path[0]), message: i.message })),
    );
  }
  const e = parsed.data;
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
