import { readFileSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { PropertiesDocument } from '../../../libs/properties/index.js';
import { AgentConfError, readAgentConf, type AgentConf } from '../../../libs/agent-conf/index.js';
import { layerLocalConf, LOCAL_CONF_NAME } from './local-conf.js';

/** `text`: the effective agent.conf (agent.conf with agent.local.conf laid over it, ADR 37). */
export type ConfLoad =
  | { ok: true; conf: AgentConf; text: string; notes?: string[] }
  | { ok: false; issues: string[]; unreadable?: boolean };

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

/** The agent.local.conf beside an agent.conf. */
export function localConfPathOf(confPath: string): string {
  return join(dirname(confPath), LOCAL_CONF_NAME);
}

/** agent.conf at `path` with the agent.local.conf beside it laid over, validated. */
export function readAgentConfFile(path: string): ConfLoad {
  let text: string;
  let localText: string | undefined;
  try {
    text = readFileSync(path, 'utf8');
    localText = readOptional(() => readFileSync(localConfPathOf(path), 'utf8'));
  } catch (error) {
    return {
      ok: false,
      unreadable: true,
      issues: [
        `cannot read ${(error as { path?: string }).path ?? path} (${(error as NodeJS.ErrnoException).code ?? error})`,
      ],
    };
  }
  return parseLayeredConf(text, localText);
}

/**
 * The effective agent.conf text, read again (the agent polls it for operators' edits of either file).
 *
 * @throws when a file cannot be read, or (with an agent.local.conf) either cannot be parsed
 */
export async function readEffectiveConfText(path: string): Promise<string> {
  const text = await readFile(path, 'utf8');
  let localText: string | undefined;
  try {
    localText = await readFile(localConfPathOf(path), 'utf8');
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'ENOENT') throw error;
  }
  return layerLocalConf(text, localText).text;
}

/** Validates agent.conf text with the agent.local.conf text (if any) laid over it. */
export function parseLayeredConf(text: string, localText: string | undefined): ConfLoad {
  let layered;
  try {
    layered = layerLocalConf(text, localText);
  } catch (error) {
    return { ok: false, issues: [(error as Error).message] };
  }
  const loaded = parseAgentConfText(layered.text);
  return loaded.ok ? { ...loaded, notes: layered.notes } : loaded;
}

function readOptional(read: () => string): string | undefined {
  try {
    return read();
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw error;
  }
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
