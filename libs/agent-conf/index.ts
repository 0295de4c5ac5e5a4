export type { AgentConf, TrustStoreSettings, TrustStoreType } from './agent-conf.types.js';
export { AGENT_CONF_KEYS, BUILTIN_LOCAL_KEYS, type AgentConfKey, type LogLevel } from './agent-conf.keys.js';
export { KEY_LIST } from './agent-conf.value-types.js';
export { AgentConfError, type AgentConfIssue } from './agent-conf.errors.js';
export { readAgentConf } from './agent-conf.reader.js';
export { parseJvmSystemProperties, splitJvmArgs, JvmArgsSyntaxError } from './jvm-args.parser.js';
export { renderAgentConfReference } from './agent-conf.reference.js';
export { agentWebSocketUrl } from './agent-conf.url.js';
export type { LocalApiSettings } from './agent-conf.types.js';
export {
  formatPasswordHash,
  isLoopback,
  parsePasswordHash,
  scryptMemory,
  type LocalApiSecurity,
  type PasswordHash,
} from './agent-conf.local-api.js';
