import { agentWebSocketUrl, type AgentConf } from '../../../libs/agent-conf/index.js';
import { connectionSettingsKey, parseAgentConfText } from './agent-conf-file.js';

/** What an edit of agent.conf means for the running agent. */
export type ConfChange =
  | { kind: 'invalid'; issues: string[] }
  | { kind: 'same-connection'; conf: AgentConf }
  | { kind: 'reconnect'; conf: AgentConf; line: string };

/**
 * Reads the new agent.conf text against the running settings: invalid (keep running), new settings on
 * the same connection, or a reconnect, because the connection settings or the groups changed — groups
 * are reported in hello only (ADR 37): a new hello is how central learns them.
 */
export function confChange(running: AgentConf, text: string): ConfChange {
  const loaded = parseAgentConfText(text);
  if (!loaded.ok) return { kind: 'invalid', issues: loaded.issues };
  const conf = loaded.conf;
  const groups = conf.groups.join(',');
  const sameGroups = running.groups.join(',') === groups;
  if (connectionSettingsKey(running) === connectionSettingsKey(conf) && sameGroups) {
    return { kind: 'same-connection', conf };
  }
  const line =
    `agent.conf changed${sameGroups ? '' : ` (agent.group now ${groups || 'empty'})`}: ` +
    `reconnecting via ${agentWebSocketUrl(conf)}`;
  return { kind: 'reconnect', conf, line };
}
