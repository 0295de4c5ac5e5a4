/** What the configuration reference says about one variable: its default in words and its meaning. */
export interface EnvironmentDoc {
  default: string;
  meaning: string;
}

/**
 * The operator's description of every variable of environment.ts (tsc checks that both list the same
 * variables). Rendered into the README's configuration table by environment.reference.ts.
 */
export const ENVIRONMENT_DOCS = {
  SWITCHYARD_HTTP_HOST: { default: '`127.0.0.1`', meaning: 'address of the admin HTTP server (API and UI)' },
  SWITCHYARD_HTTP_PORT: { default: '`8080`', meaning: 'its port' },
  SWITCHYARD_UI_DIR: {
    default: '(the built UI)',
    meaning: 'folder of the admin UI files to serve instead of the built `dist/ui`',
  },
  SWITCHYARD_TRUSTED_PROXIES: {
    default: '(none)',
    meaning: 'reverse proxies whose `X-Forwarded-For` names the client (IPs, CIDRs, `loopback`)',
  },
  SWITCHYARD_SESSION_IDLE_MINUTES: {
    default: '`30`',
    meaning: 'an admin session unused this long ends (sliding)',
  },
  SWITCHYARD_SESSION_MAX_HOURS: {
    default: '`12`',
    meaning: 'an admin session ends this long after login, used or not',
  },
  SWITCHYARD_LOGIN_FAILURES_PER_MINUTE: {
    default: '`10`',
    meaning: 'failed logins per address and per account before 429 (see ADR 11)',
  },
  SWITCHYARD_ADMIN_PASSWORD: {
    default: 'generated, printed once',
    meaning: 'password of the first admin `admin` (at least 12 characters)',
  },
  SWITCHYARD_DATA_DIR: {
    default: '`./data`',
    meaning: 'embedded database (`pg/`), `master.key`, certificate drop-in folder',
  },
  DATABASE_URL: { default: '(embedded)', meaning: '`postgres://…` of an external PostgreSQL 15+' },
  SWITCHYARD_DATABASE_POOL_SIZE: { default: '`10`', meaning: 'PostgreSQL pool connections per process' },
  SWITCHYARD_MASTER_KEY: {
    default: '`<data>/master.key` (created 0600)',
    meaning: '32 bytes, hex or base64: encrypts private keys and secrets at rest (AES-256-GCM)',
  },
  SWITCHYARD_WORKERS: {
    default: '`auto`',
    meaning:
      'cluster mode: `auto` = max(cores, fleet size ÷ per-process budget), ≤ 8 on embedded PG; `1` = one process',
  },
  SWITCHYARD_FLEET_SIZE: {
    default: '(none)',
    meaning: 'agents this host should hold at once; sizes `SWITCHYARD_WORKERS=auto`',
  },
  SWITCHYARD_NODE_NAME: { default: '`<host>-<pid>`', meaning: 'name of this central node in listings' },
  SWITCHYARD_BUILD: {
    default: '(build when stale)',
    meaning: '`always` or `never`: whether `npm start` and the CLIs rebuild first',
  },
  SWITCHYARD_AGENT_HOSTS: {
    default: '(none)',
    meaning: 'comma list of the host names agents use: an imported certificate must cover them',
  },
  SWITCHYARD_AGENT_PLAIN_PORT: {
    default: "(the settings' `plain.port`)",
    meaning: "this node's plain agent port, for several nodes on one host (docs/multi-node.md)",
  },
  SWITCHYARD_AGENT_SECURE_PORT: {
    default: "(the settings' `secure.port`)",
    meaning: "this node's secure agent port, likewise",
  },
  SWITCHYARD_HEARTBEAT_INTERVAL_MS: {
    default: '`15000`',
    meaning: 'WebSocket ping interval to agents; two missed pongs ⇒ `disconnected`',
  },
  SWITCHYARD_MAX_CONCURRENT_HELLOS: {
    default: '20 × pool size',
    meaning:
      'agent upgrades + hellos in progress at once; 4× as many wait ≤ 5 s; the rest get 503 + `Retry-After`',
  },
  SWITCHYARD_MAX_AGENT_CONNECTIONS: {
    default: 'open-files limit − max(512, 5 %)',
    meaning:
      'agent connections one process holds; beyond it 503 + `Retry-After`, beyond it + 256 closed at accept',
  },
  SWITCHYARD_CERTS_POLL_SECONDS: {
    default: '`15`',
    meaning: 'how often `<data>/certs/` is checked for dropped certificate files',
  },
  SWITCHYARD_ACME_CA_FILE: {
    default: '(system CAs)',
    meaning: "PEM CA to trust for the ACME server's HTTPS only (private or test ACME CA)",
  },
  SWITCHYARD_ACME_RENEW_CHECK_MS: {
    default: '`3600000` (hourly)',
    meaning: 'how often each node checks whether the ACME certificate is due for renewal',
  },
  SWITCHYARD_ACME_ORDER_TIMEOUT_MS: {
    default: '`300000`',
    meaning: 'an ACME order not finished by then is given up (nothing is installed)',
  },
  SWITCHYARD_ROTATION_AUTOPILOT_MS: {
    default: '`15000`',
    meaning: 'how often an automatic certificate rotation (ACME `newAnchor: rotate`) checks its next step',
  },
  SWITCHYARD_ROTATION_GATE_GRACE_MS: {
    default: '`600000`',
    meaning: 'an automatic rotation whose gate is still closed this long after its rollouts stops and warns',
  },
  SWITCHYARD_ROLLOUT_TICK_MS: {
    default: '`1000`',
    meaning: 'how often each node advances rollouts and times out steps',
  },
  SWITCHYARD_ROLLOUT_MAX_IN_FLIGHT: {
    default: '`2000`',
    meaning: 'profile deliveries under way per node at most',
  },
  SWITCHYARD_ROLLOUT_MAX_BUFFERED_BYTES: {
    default: '`262144`',
    meaning: 'sockets with more queued are skipped until they drain',
  },
  SWITCHYARD_MIGRATION_MIN_CERT_DAYS: {
    default: '`14`',
    meaning: '`dual` needs the server certificate valid at least this long',
  },
  SWITCHYARD_MIGRATION_WINDOW_HOURS: {
    default: '`24`',
    meaning: 'shortest observation window of the `secure_only` gate',
  },
} satisfies Record<string, EnvironmentDoc>;
