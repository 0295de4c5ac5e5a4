import { isIP } from 'node:net';
import { z } from 'zod';
import { ConfigError } from './config-error.js';
import { type ENVIRONMENT_DOCS } from './environment.docs.js';

// Every environment variable central reads, in one zod schema, grouped by concern (issue 18 point 2).
// The domains' config files (rollouts.config.ts, acme.config.ts, …) only map their part of the parsed
// result into their own shape; nothing else reads `process.env` for configuration. The README's
// configuration table is rendered from this schema and ENVIRONMENT_DOCS (environment.reference.ts),
// and a unit test fails when the two drift.

/** A whole number between min and max (inclusive), from its decimal text. */
const whole = (min: number, max: number, unit = '') =>
  z
    .string()
    .regex(/^\d+$/, `must be a whole number${unit ? ` of ${unit}` : ''}`)
    .transform(Number)
    .refine((n) => n >= min && n <= max, `must be between ${min} and ${max}`);

const port = () =>
  z
    .string()
    .regex(/^\d+$/, `must be a port number 1-65535`)
    .transform(Number)
    .refine((n) => n >= 1 && n <= 65535, `must be a port number 1-65535`);

/** A positive decimal (`0.5` is allowed, so tests can use seconds-long sessions). */
const positive = (max: number, unit: string) =>
  z
    .string()
    .regex(/^\d+(\.\d+)?$/, `must be a number of ${unit}`)
    .transform(Number)
    .refine((n) => n > 0 && n <= max, `must be more than 0 and at most ${max}`);

const commaList = (valid: (item: string) => boolean, message: string) =>
  z
    .string()
    .transform((v) =>
      v
        .split(',')
        .map((item) => item.trim().toLowerCase())
        .filter(Boolean),
    )
    .refine((items) => items.every(valid), message);

/** More workers than this is a typo, not a plan: each holds a database pool and a Nest application. */
export const MAX_WORKERS = 64;

const adminServer = {
  SWITCHYARD_HTTP_HOST: z
    .string()
    .refine((v) => isIP(v) !== 0 || /^[A-Za-z0-9.-]{1,253}$/.test(v), 'must be an IP address or host name')
    .default('127.0.0.1'),
  SWITCHYARD_HTTP_PORT: port().default(8080),
  SWITCHYARD_UI_DIR: z.string().min(1).optional(),
  SWITCHYARD_TRUSTED_PROXIES: commaList(
    isProxySpec,
    'must be a comma-separated list of IP addresses, CIDR ranges (10.0.0.0/8) or loopback, linklocal, uniquelocal',
  ).default([]),
  SWITCHYARD_SESSION_IDLE_MINUTES: positive(24 * 60, 'minutes').default(30),
  SWITCHYARD_SESSION_MAX_HOURS: positive(30 * 24, 'hours').default(12),
  SWITCHYARD_LOGIN_FAILURES_PER_MINUTE: whole(1, 1000).default(10),
  SWITCHYARD_ADMIN_PASSWORD: z.string().min(12, 'must be at least 12 characters').optional(),
};

const storage = {
  SWITCHYARD_DATA_DIR: z.string().min(1, 'must not be empty').default('./data'),
  DATABASE_URL: z
    .string()
    .regex(/^postgres(ql)?:\/\/.+/, 'must be a postgres:// URL')
    .refine((v) => URL.canParse(v), 'must be a valid URL')
    .optional(),
  SWITCHYARD_DATABASE_POOL_SIZE: whole(1, 500).default(10),
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
};

const processes = {
  SWITCHYARD_WORKERS: z
    .string()
    .refine(
      (v) => v === 'auto' || (/^\d+$/.test(v) && Number(v) >= 1 && Number(v) <= MAX_WORKERS),
      `must be "auto" or a whole number between 1 and ${MAX_WORKERS}`,
    )
    .transform((v): 'auto' | number => (v === 'auto' ? 'auto' : Number(v)))
    .default('auto'),
  SWITCHYARD_FLEET_SIZE: whole(1, 10_000_000).optional(),
  SWITCHYARD_NODE_NAME: z
    .string()
    .regex(/^[A-Za-z0-9._-]{1,64}$/, 'must be 1-64 characters of A-Z a-z 0-9 . _ -')
    .optional(),
  SWITCHYARD_BUILD: z.enum(['always', 'never'], 'must be "always" or "never"').optional(),
};

const agentConnections = {
  SWITCHYARD_AGENT_HOSTS: commaList(
    (h) => isIP(h) !== 0 || /^(\*\.)?[a-z0-9]([a-z0-9-]{0,62})(\.[a-z0-9]([a-z0-9-]{0,62}))*$/.test(h),
    'must be a comma-separated list of host names or IP addresses',
  ).default([]),
  SWITCHYARD_AGENT_PLAIN_PORT: port().optional(),
  SWITCHYARD_AGENT_SECURE_PORT: port().optional(),
  SWITCHYARD_HEARTBEAT_INTERVAL_MS: whole(1000, 600_000, 'milliseconds').default(15_000),
  SWITCHYARD_MAX_CONCURRENT_HELLOS: whole(1, 100_000).optional(),
  SWITCHYARD_MAX_AGENT_CONNECTIONS: whole(1, 10_000_000).optional(),
};

const certificates = {
  SWITCHYARD_CERTS_POLL_SECONDS: whole(1, 86_400, 'seconds').default(15),
  SWITCHYARD_ACME_CA_FILE: z.string().min(1).optional(),
  SWITCHYARD_ACME_RENEW_CHECK_MS: whole(100, 24 * 3_600_000, 'milliseconds').default(3_600_000),
  SWITCHYARD_ACME_ORDER_TIMEOUT_MS: whole(1000, 3_600_000, 'milliseconds').default(5 * 60_000),
  SWITCHYARD_ROTATION_AUTOPILOT_MS: whole(100, 3_600_000, 'milliseconds').default(15_000),
  SWITCHYARD_ROTATION_GATE_GRACE_MS: whole(0, 7 * 86_400_000, 'milliseconds').default(10 * 60_000),
};

const rolloutsAndMigration = {
  SWITCHYARD_ROLLOUT_TICK_MS: whole(50, 60_000, 'milliseconds').default(1000),
  SWITCHYARD_ROLLOUT_MAX_IN_FLIGHT: whole(1, 100_000).default(2000),
  SWITCHYARD_ROLLOUT_MAX_BUFFERED_BYTES: whole(1024, 64 * 1024 * 1024, 'bytes').default(256 * 1024),
  SWITCHYARD_MIGRATION_MIN_CERT_DAYS: whole(0, 3650, 'days').default(14),
  SWITCHYARD_MIGRATION_WINDOW_HOURS: whole(0, 24 * 365, 'hours').default(24),
};

/** The concerns, in the order the reference lists them. */
export const ENVIRONMENT_GROUPS = {
  'Admin server and sign-in': adminServer,
  'Storage and secrets': storage,
  'Processes and nodes': processes,
  'Agent connections': agentConnections,
  'Certificates and rotation': certificates,
  'Rollouts and migration': rolloutsAndMigration,
} as const;

const shape = {
  ...adminServer,
  ...storage,
  ...processes,
  ...agentConnections,
  ...certificates,
  ...rolloutsAndMigration,
};

export const ENVIRONMENT_SCHEMA = z.object(shape);

/** The parsed environment: every variable typed, defaults applied. */
export type Environment = z.output<typeof ENVIRONMENT_SCHEMA>;
export type EnvironmentVariable = keyof typeof shape;

// Every variable has its documentation and every documentation entry a variable (checked by tsc).
type SameKeys<A, B> = [A] extends [B] ? ([B] extends [A] ? true : false) : false;
const documented: SameKeys<EnvironmentVariable, keyof typeof ENVIRONMENT_DOCS> = true;
void documented;

/**
 * Validates the whole environment; a wrong value throws ConfigError naming every wrong variable at once.
 * Called at boot (and by each domain's module when it starts); parsing is cheap, and not caching keeps
 * tests that start several centrals in one process free of stale values.
 */
export function readEnvironment(env: NodeJS.ProcessEnv = process.env): Environment {
  // Empty variables are treated as unset, as shells and compose files often export them empty.
  const present = Object.fromEntries(Object.entries(env).filter(([, v]) => v !== undefined && v !== ''));
  const parsed = ENVIRONMENT_SCHEMA.safeParse(present);
  if (!parsed.success) {
    throw new ConfigError(
      parsed.error.issues.map((i) => ({ variable: String(i.path[0]), message: i.message })),
    );
  }
  return parsed.data;
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
