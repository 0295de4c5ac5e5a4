import {
  AGENT_ID,
  BOOLEAN,
  GROUP_LIST,
  HOST,
  KEY_LIST,
  JVM_OPTIONS,
  mebibytes,
  PORT,
  oneOf,
  seconds,
  type ValueType,
} from './agent-conf.value-types.js';
import {
  FILE_PATH,
  IP_ADDRESS,
  LOCAL_API_SECURITY,
  PASSWORD_HASH,
  USER_NAME,
} from './agent-conf.local-api.js';

/** One agent.conf key as documented: the reference in docs/agent-conf.md is rendered from these. */
export interface AgentConfKey {
  /** The property name in agent.conf. */
  readonly key: string;
  /** The value type, e.g. `port` or `boolean`. */
  readonly type: string;
  /** The value used when the key is absent or empty, as it would be written in agent.conf; none if required. */
  readonly default: string | undefined;
  /** Whether agent.conf must set it. */
  readonly required: boolean;
  readonly description: string;
}

/** A key with the reader of its value: what `readAgentConf` works from. */
export interface AgentConfKeyDefinition<T> extends AgentConfKey {
  readonly valueType: ValueType<T>;
}

function required<T>(key: string, valueType: ValueType<T>, description: string): AgentConfKeyDefinition<T> {
  return { key, type: valueType.name, default: undefined, required: true, description, valueType };
}

function optional<T>(
  key: string,
  valueType: ValueType<T>,
  defaultText: string,
  description: string,
): AgentConfKeyDefinition<T> {
  return { key, type: valueType.name, default: defaultText, required: false, description, valueType };
}

export const LOG_LEVELS = ['error', 'warn', 'info', 'debug'] as const;
export type LogLevel = (typeof LOG_LEVELS)[number];

export const DEFAULT_TRUSTSTORE_PATH = 'conf/security/truststore.jks';
export const DEFAULT_TRUSTSTORE_PASSWORD = 'changeit';

/**
 * The one definition of every agent.conf key the agent reads, in the order the reference lists them.
 * Add a key here and it is validated by `readAgentConf` and documented by `renderAgentConfReference`.
 */
export const AgentConfKeys = {
  centralHost: required(
    'central.host',
    HOST,
    'Host name or IP address of central (or of the TCP load balancer in front of its nodes). IPv6 ' +
      "addresses may be written with or without brackets. With TLS, central's certificate must cover this name.",
  ),
  plainPort: optional(
    'central.websocket.port',
    PORT,
    '8787',
    "Port of central's plain listener: the agent connects to `ws://<central.host>:<port>/agent` while " +
      '`central.websocket.secure` is false.',
  ),
  secure: optional(
    'central.websocket.secure',
    BOOLEAN,
    'false',
    '`true` to connect over TLS to the secure port, verifying central against the truststore; `false` ' +
      'for plain WebSocket.',
  ),
  securePort: optional(
    'central.websocket.secure.port',
    PORT,
    '9150',
    "Port of central's secure listener: the agent connects to `wss://<central.host>:<port>/agent` while " +
      '`central.websocket.secure` is true. Must differ from `central.websocket.port`.',
  ),
  agentId: required(
    'agent.id',
    AGENT_ID,
    'Unique id of this agent at central: 1-128 letters, digits, `.`, `_` or `-`.',
  ),
  groups: optional(
    'agent.group',
    GROUP_LIST,
    '',
    'Groups the agent belongs to, separated by commas (each 1-64 letters, digits, `.`, `_` or `-`); empty ' +
      'for none. The agent reports them to central, where rollouts and the Agents tab target them ' +
      'together with the groups an admin sets. A local key: `conf/agent.local.conf` keeps it across profiles.',
  ),
  switchTimeout: optional(
    'agent.switch.timeout',
    seconds(1, 3600),
    '30',
    'When a profile changes how the agent connects, how long it tries the new settings before it ' +
      'reverts to the old ones and reports the failure.',
  ),
  upgradeTimeout: optional(
    'agent.upgrade.timeout',
    seconds(5, 3600),
    '60',
    'After an upgrade from central (ADR 45), how long the new version may take to be welcomed before the ' +
      'launcher returns to the previous version by itself and reports why.',
  ),
  jvmArgs: optional(
    'jetty.jvm.args',
    JVM_OPTIONS,
    '',
    'JVM options, split like a shell command line (`"-Dname=a b"` keeps the space). The agent honours ' +
      `\`-Djavax.net.ssl.trustStore=\` (default \`${DEFAULT_TRUSTSTORE_PATH}\`, relative to the agent home), ` +
      `\`-Djavax.net.ssl.trustStorePassword=\` (default \`${DEFAULT_TRUSTSTORE_PASSWORD}\`) and ` +
      '`-Djavax.net.ssl.trustStoreType=` (`JKS` or `PKCS12`, any case; by default PKCS12 for a `.p12` or ' +
      '`.pfx` file, otherwise JKS). Other options are kept but not used by the agent.',
  ),
  logLevel: optional(
    'agent.log.level',
    oneOf(LOG_LEVELS),
    'info',
    'Least severe level the agent logs: `error`, `warn`, `info` or `debug`.',
  ),
  localApiEnabled: optional(
    'agent.local.api.enabled',
    BOOLEAN,
    'false',
    '`true` to serve the local API (`GET /status`, `PUT`/`GET`/`DELETE /files/<path>`) on ' +
      '`<agent.local.api.bind.address>:<agent.local.api.port>` for local software, secured as ' +
      '`agent.local.api.security` says (docs/agent.md, "Local API"). Read at start, like every ' +
      '`agent.local.api.*` key.',
  ),
  localApiSecurity: optional(
    'agent.local.api.security',
    oneOf(LOCAL_API_SECURITY),
    'plain',
    "The local API's security level (ADR 43): `plain` (1) plain HTTP, loopback only, no password; " +
      "`https` (2) HTTPS with the agent's certificate (or `agent.local.api.tls.cert`), anyone who reaches " +
      'the port may use it; `https-client-certificate` (3) HTTPS, and clients must present a certificate ' +
      "issued by central's local CA (or by `agent.local.api.tls.ca`); `https-password` (3) HTTPS, and " +
      'clients must send `agent.local.api.user` and the password of `agent.local.api.password.hash` ' +
      "(HTTP basic auth). Without `agent.local.api.tls.cert`, HTTPS waits until central's local CA has " +
      'issued the agent its client certificate (`state/client.crt`, when central asks for client ' +
      'certificates) and follows its renewals without a restart.',
  ),
  localApiBindAddress: optional(
    'agent.local.api.bind.address',
    IP_ADDRESS,
    '127.0.0.1',
    'IP address the local API listens on. `plain` allows only a loopback address (127.x.x.x, `::1`); ' +
      'the HTTPS levels may listen on others, e.g. `0.0.0.0` for every interface.',
  ),
  localApiPort: optional('agent.local.api.port', PORT, '8789', 'Port the local API listens on.'),
  localApiMaxFileSize: optional(
    'agent.local.api.files.max.size',
    mebibytes(1, 1024),
    '10',
    'Largest file the local API accepts in one `PUT /files/<path>`, in MiB.',
  ),
  localApiQuota: optional(
    'agent.local.api.files.quota',
    mebibytes(1, 65536),
    '100',
    "Most the local API's file transfer area (`files/` in the agent home) may hold in total, in MiB.",
  ),
  localApiTlsCert: optional(
    'agent.local.api.tls.cert',
    FILE_PATH,
    '',
    "PEM certificate (chain, leaf first) the HTTPS levels serve instead of the agent's client " +
      'certificate, e.g. one naming the host so clients can check the name; relative to the agent home. ' +
      'Needs `agent.local.api.tls.key`. Replacing the files is picked up without a restart.',
  ),
  localApiTlsKey: optional(
    'agent.local.api.tls.key',
    FILE_PATH,
    '',
    'PEM private key of `agent.local.api.tls.cert`; relative to the agent home.',
  ),
  localApiTlsCa: optional(
    'agent.local.api.tls.ca',
    FILE_PATH,
    '',
    'PEM certificates whose client certificates `https-client-certificate` accepts; relative to the ' +
      "agent home. Empty: central's local CA, as it came with the agent's client certificate.",
  ),
  localApiUser: optional(
    'agent.local.api.user',
    USER_NAME,
    'switchyard',
    'User name `https-password` expects (HTTP basic auth).',
  ),
  localApiPasswordHash: optional(
    'agent.local.api.password.hash',
    PASSWORD_HASH,
    '',
    'Password of `https-password`, hashed: `scrypt$N$r$p$salt$hash` as `switchyard-agent hash-password` ' +
      'prints it. The password itself is never stored. Wrong passwords are answered 401, more than 5 ' +
      'from one address within a minute 429, and logged.',
  ),
  profileLocalKeys: optional(
    'profile.local.keys',
    KEY_LIST,
    '',
    'Set by a profile: further keys, separated by commas, that belong to each agent rather than to the ' +
      'profile, like `agent.id` and `agent.group` always do. Each agent keeps its own value of them from ' +
      '`conf/agent.local.conf` when the profile is applied (see "Local settings" below).',
  ),
} as const;

/** Keys that always belong to the agent, whatever a profile says (ADR 37). */
export const BUILTIN_LOCAL_KEYS: readonly string[] = Object.freeze([
  AgentConfKeys.agentId.key,
  AgentConfKeys.groups.key,
]);

/** Every agent.conf key the agent reads, with its type, default and description. */
export const AGENT_CONF_KEYS: readonly AgentConfKey[] = Object.freeze(
  Object.values(AgentConfKeys).map((definition): AgentConfKey =>
    Object.freeze({
      key: definition.key,
      type: definition.type,
      default: definition.default,
      required: definition.required,
      description: definition.description,
    }),
  ),
);
