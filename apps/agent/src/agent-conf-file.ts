import { readFileSync } from 'node:fs';
import { PropertiesDocument } from '../../../libs/properties/index.js';
import { AgentConfError, readAgentConf, type AgentConf } from '../../../libs/agent-conf/index.js';

export type ConfLoad =
  { ok: true; conf: AgentConf; text: string } | { ok: false; issues: string[]; unreadable?: boolean };

/** Parses and validates agent.conf text; every problem is returned, none thrown. */
export function parseAgentConfText(text: string): ConfLoad {
  try {
    return { ok: true, conf: readAgentConf(PropertiesDocument.parse(text)), text };
  } catch (error) {
    if (error instanceof AgentConfError) {
      return {
        ok: false,
        issues:
          error.issues.length > 0
            ? error.issues.map((issue) => `${issue.key}: ${issue.message}`)
            : [error.message],
      };
    }
    return { ok: false, issues: [(error as Error).message] };
  }
}

export function readAgentConfFile(path: string): ConfLoad {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (error) {
    return {
      ok: false,
      unreadable: true,
      issues: [`cannot read ${path} (${(error as NodeJS.ErrnoException).code ?? error})`],
    };
  }
  return parseAgentConfText(text);
}

/** The settings that decide where and how the agent connects; a change means reconnecting. */
export function connectionSettingsKey(conf: AgentConf): string {
  return JSON.stringify([
    conf.centralHost,
    conf.plainPort,
    conf.secure,
    conf.securePort,
    conf.agentId,
    conf.trustStore.path,
    conf.trustStore.password,
    conf.trustStore.type,
  ]);
}
