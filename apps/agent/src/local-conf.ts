import { PropertiesDocument } from '../../../libs/properties/index.js';
import { BUILTIN_LOCAL_KEYS, KEY_LIST } from '../../../libs/agent-conf/index.js';

/*
 * Local settings (ADR 37, docs/agent-conf.md "Local settings"): conf/agent.conf is the profile's,
 * conf/agent.local.conf is this agent's own. The settings the agent runs with are agent.conf with the
 * local file's values laid over it, for the local keys only: `agent.id`, `agent.group` and the keys
 * agent.conf declares in `profile.local.keys`. A profile therefore never changes them, and the local file
 * cannot change what the profile owns (central.host, ports, the truststore…).
 */

/** The file name, in the home's conf/ beside agent.conf (a profile swap carries it over). */
export const LOCAL_CONF_NAME = 'agent.local.conf';
const PROFILE_LOCAL_KEYS = 'profile.local.keys';

/** What a layering produced: the effective agent.conf text, and what is worth a log line. */
export interface LayeredConf {
  text: string;
  notes: string[];
}

/** The keys that belong to the agent under this agent.conf: the built-in ones and those it declares. */
export function localKeysOf(conf: PropertiesDocument): Set<string> {
  const declared = KEY_LIST.parse(conf.get(PROFILE_LOCAL_KEYS)?.trim() ?? '');
  // A bad profile.local.keys is reported by readAgentConf with the key's name; the built-ins still hold.
  return new Set([...BUILTIN_LOCAL_KEYS, ...(declared.ok ? declared.value : [])]);
}

/**
 * agent.conf text with agent.local.conf laid over it: each local key the local file sets takes the local
 * value (empty included: "no group" is a choice too); comments and order of agent.conf are kept. Keys of
 * the local file that are not local are ignored, with a note naming them.
 *
 * @throws PropertiesSyntaxError (from either file; the caller names the file)
 */
export function layerLocalConf(confText: string, localText: string | undefined): LayeredConf {
  if (localText === undefined) return { text: confText, notes: [] };
  const conf = PropertiesDocument.parse(confText);
  const local = parseLocal(localText);
  const keys = localKeysOf(conf);
  const ignored: string[] = [];
  for (const [key, value] of local.entries()) {
    if (keys.has(key)) conf.set(key, value);
    else ignored.push(key);
  }
  const notes =
    ignored.length === 0
      ? []
      : [
          `conf/${LOCAL_CONF_NAME} sets ${ignored.join(', ')}, which the profile owns (local keys: ` +
            `${[...keys].join(', ')}): ignored`,
        ];
  return { text: conf.toString(), notes };
}

/** Where the local values of a profile's first apply come from. */
export interface CurrentConf {
  /** conf/agent.local.conf now; undefined when there is none yet. */
  localText: string | undefined;
  /** conf/agent.conf now (undefined when unreadable). */
  confText: string | undefined;
  /** Whether conf/ already came from a profile (then agent.conf holds that profile's values, not the site's). */
  profileActive: boolean;
}

/**
 * The agent.local.conf to stage with a profile: the agent's own file as it is, or — on the first apply,
 * when there is none — one made from the current agent.conf: `agent.id`, and while conf/ is still the
 * installer's, every local key of the new profile that the current agent.conf sets (non-empty). After a
 * profile, agent.conf holds that profile's values, which belong to no agent: only the id is taken.
 */
export function localConfForProfile(
  profileConfText: string,
  agentId: string,
  current: CurrentConf,
): LayeredConf & { created: boolean } {
  if (current.localText !== undefined) {
    parseLocal(current.localText); // refuse the profile now rather than fail after the swap
    return { text: current.localText, notes: [], created: false };
  }
  const lines = [
    '# This agent\'s own settings: a profile never changes them (docs/agent-conf.md, "Local settings").',
    '# Only local keys count here: agent.id, agent.group and those the profile lists in profile.local.keys.',
  ];
  const taken: string[] = [];
  const doc = PropertiesDocument.parse(lines.map((line) => `${line}\n`).join(''));
  doc.set('agent.id', agentId);
  if (current.profileActive || current.confText === undefined)
    return { text: doc.toString(), notes: [`created conf/${LOCAL_CONF_NAME} with agent.id`], created: true };
  const before = PropertiesDocument.parse(current.confText);
  for (const key of localKeysOf(PropertiesDocument.parse(profileConfText))) {
    const value = before.get(key)?.trim();
    if (key === 'agent.id' || value === undefined || value === '') continue;
    doc.set(key, value);
    taken.push(key); // names only: a local jetty.jvm.args may hold a password
  }
  return {
    text: doc.toString(),
    notes: [
      `created conf/${LOCAL_CONF_NAME} with agent.id${taken.length > 0 ? ` and, from conf/agent.conf, ${taken.join(', ')}` : ''}`,
    ],
    created: true,
  };
}

function parseLocal(text: string): PropertiesDocument {
  try {
    return PropertiesDocument.parse(text);
  } catch (error) {
    throw new Error(`conf/${LOCAL_CONF_NAME} cannot be parsed: ${(error as Error).message}`);
  }
}
