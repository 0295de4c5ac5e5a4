import { type PropertiesDocument } from '../properties/index.js';
import { AgentConfError, type AgentConfIssue } from './agent-conf.errors.js';
import { AgentConfKeys, type AgentConfKeyDefinition } from './agent-conf.keys.js';
import { localApiIssues } from './agent-conf.local-api-checks.js';
import { trustStoreFromSystemProperties } from './agent-conf.truststore.js';
import { type AgentConf } from './agent-conf.types.js';

/**
 * Reads and validates the agent's settings from a parsed agent.conf. Values are trimmed (a trailing
 * space is invisible in an editor and must not make a port invalid); an empty value counts as absent, so
 * the default applies. Keys not in `AGENT_CONF_KEYS` are ignored.
 *
 * @throws AgentConfError listing every bad or missing key, not just the first
 */
export function readAgentConf(doc: PropertiesDocument): AgentConf {
  const issues: AgentConfIssue[] = [];

  function read<T>(definition: AgentConfKeyDefinition<T>): T | undefined {
    const raw = doc.get(definition.key);
    const text = raw?.trim() ?? '';
    const effective = text === '' ? definition.default : text;
    if (effective === undefined) {
      issues.push({
        key: definition.key,
        message: raw === undefined ? 'is required' : 'is required but empty',
      });
      return undefined;
    }
    const parsed = definition.valueType.parse(effective);
    if (parsed.ok) return parsed.value;
    issues.push({ key: definition.key, message: parsed.message });
    return undefined;
  }

  const keys = AgentConfKeys;
  const values = {
    centralHost: read(keys.centralHost),
    plainPort: read(keys.plainPort),
    secure: read(keys.secure),
    securePort: read(keys.securePort),
    agentId: read(keys.agentId),
    groups: read(keys.groups),
    switchTimeout: read(keys.switchTimeout),
    upgradeTimeout: read(keys.upgradeTimeout),
    systemProperties: read(keys.jvmArgs),
    logLevel: read(keys.logLevel),
    localApiEnabled: read(keys.localApiEnabled),
    localApiPort: read(keys.localApiPort),
    localApiMaxFileSize: read(keys.localApiMaxFileSize),
    localApiQuota: read(keys.localApiQuota),
    localApiSecurity: read(keys.localApiSecurity),
    localApiBindAddress: read(keys.localApiBindAddress),
    localApiTlsCert: read(keys.localApiTlsCert),
    localApiTlsKey: read(keys.localApiTlsKey),
    localApiTlsCa: read(keys.localApiTlsCa),
    localApiUser: read(keys.localApiUser),
    localApiPasswordHash: read(keys.localApiPasswordHash),
    localKeys: read(keys.profileLocalKeys),
  };

  const trustStore = values.systemProperties && trustStoreFromSystemProperties(values.systemProperties);
  if (trustStore && !trustStore.ok) issues.push({ key: keys.jvmArgs.key, message: trustStore.message });
  if (values.plainPort !== undefined && values.plainPort === values.securePort) {
    // Central cannot serve plain and TLS on one port, so one of the two would never connect.
    issues.push({
      key: keys.securePort.key,
      message: `must differ from ${keys.plainPort.key} (both are ${values.plainPort})`,
    });
  }
  if (
    values.localApiMaxFileSize !== undefined &&
    values.localApiQuota !== undefined &&
    values.localApiMaxFileSize > values.localApiQuota
  ) {
    // A file the quota could never hold would be refused however empty the area is.
    issues.push({
      key: keys.localApiMaxFileSize.key,
      message: `must not be larger than ${keys.localApiQuota.key}`,
    });
  }
  issues.push(...localApiIssues(values));
  if (issues.length > 0 || !trustStore?.ok) throw new AgentConfError(issues);

  // No issue means every read returned a value.
  const v = values as { [K in keyof typeof values]: NonNullable<(typeof values)[K]> };
  return {
    centralHost: v.centralHost,
    plainPort: v.plainPort,
    secure: v.secure,
    securePort: v.securePort,
    agentId: v.agentId,
    groups: v.groups,
    switchTimeoutMs: v.switchTimeout * 1000,
    upgradeTimeoutMs: v.upgradeTimeout * 1000,
    logLevel: v.logLevel,
    localKeys: v.localKeys,
    trustStore: trustStore.value,
    localApi: {
      enabled: v.localApiEnabled,
      port: v.localApiPort,
      maxFileSize: v.localApiMaxFileSize,
      quota: v.localApiQuota,
      security: v.localApiSecurity,
      bindAddress: v.localApiBindAddress,
      tlsCertFile: v.localApiTlsCert || undefined,
      tlsKeyFile: v.localApiTlsKey || undefined,
      tlsCaFile: v.localApiTlsCa || undefined,
      user: v.localApiUser,
      passwordHash: values.localApiPasswordHash ?? undefined,
    },
  };
}
