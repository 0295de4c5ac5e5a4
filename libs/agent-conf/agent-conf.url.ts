import { isIP } from 'node:net';
import { type AgentConf } from './agent-conf.types.js';

/**
 * The URL the agent dials: `ws://host:port/agent`, or `wss://host:securePort/agent` when `secure` is
 * set. IPv6 addresses are bracketed, as URLs require.
 */
export function agentWebSocketUrl(conf: AgentConf): string {
  const host = isIP(conf.centralHost) === 6 ? `[${conf.centralHost}]` : conf.centralHost;
  return conf.secure ? `wss://${host}:${conf.securePort}/agent` : `ws://${host}:${conf.plainPort}/agent`;
}
