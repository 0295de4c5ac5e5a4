import { PropertiesDocument } from '../../../../libs/properties/index.js';
import type { AgentConf, TrustStoreType } from '../../../../libs/agent-conf/index.js';
import type { ProfileManifest } from '../../../../libs/profile-archive/index.js';
import { parseAgentConfText } from '../agent-conf-file.js';
import { layerLocalConf, localConfForProfile, type CurrentConf } from '../local-conf.js';
import { AGENT_CONF_PATH } from './profile-layout.js';
import { ProfileRefusal } from './profile-refusal.js';
import { loadTrustedCaPems, trustedCaPemsOf, type TruststoreReader } from '../trust.js';

const TRUSTSTORE_TYPES: Record<string, TrustStoreType> = {
  '.jks': 'jks',
  '.p12': 'pkcs12',
  '.pfx': 'pkcs12',
};

export interface CheckedProfileContent {
  /** The agent.conf to stage: the profile's, with this agent's own `agent.id`. */
  confText: string;
  /** The agent.local.conf to stage with it: the agent's own, or made from agent.conf on a first apply. */
  localConfText: string;
  /** What the agent will run with: `confText` with `localConfText` laid over (ADR 37). */
  effectiveText: string;
  /** Read from `effectiveText`. */
  conf: AgentConf;
  /** Notes worth a log line (e.g. the profile's agent.id was replaced). */
  notes: string[];
}

export interface ProfileContentContext {
  /** The running agent's id: a profile is for a fleet and never renames an agent. */
  agentId: string;
  agentVersion: string;
  capabilities: readonly string[];
  /** Resolves a truststore path of agent.conf to a file that exists now (for paths outside conf/). */
  resolveOutside: (path: string) => string;
  readTruststore?: TruststoreReader;
  /** The agent's conf/ now: its agent.local.conf (kept) or what a first apply makes one from. */
  current: CurrentConf;
}

/**
 * Judges a verified archive's content before anything is written: the agent can run it (version,
 * capabilities), its conf/agent.conf is valid by the agent's own rules, and every truststore in it opens
 * with the password its jetty.jvm.args names — so a profile that could not connect is refused at
 * synchronize time, not discovered at activation.
 *
 * @throws ProfileRefusal naming the file and the problem.
 */
export function checkProfileContent(
  manifest: ProfileManifest,
  files: ReadonlyMap<string, Buffer>,
  context: ProfileContentContext,
): CheckedProfileContent {
  if (compareVersions(context.agentVersion, manifest.minimumAgentVersion) < 0) {
    throw new ProfileRefusal(
      `profile needs agent version ${manifest.minimumAgentVersion} or later; this agent is ${context.agentVersion}`,
    );
  }
  const missing = manifest.requiredCapabilities.filter((c) => !context.capabilities.includes(c));
  if (missing.length > 0)
    throw new ProfileRefusal(`profile needs capabilities this agent lacks: ${missing.join(', ')}`);

  const bytes = files.get(AGENT_CONF_PATH);
  if (!bytes) throw new ProfileRefusal(`profile has no ${AGENT_CONF_PATH}`);
  const { text, notes } = withAgentId(bytes.toString('utf8'), context.agentId);
  let local: ReturnType<typeof localConfForProfile>;
  let layered: ReturnType<typeof layerLocalConf>;
  try {
    local = localConfForProfile(text, context.agentId, context.current);
    layered = layerLocalConf(text, local.text);
  } catch (error) {
    throw new ProfileRefusal((error as Error).message);
  }
  const loaded = parseAgentConfText(layered.text);
  if (!loaded.ok)
    throw new ProfileRefusal(`${AGENT_CONF_PATH} of the profile is invalid: ${loaded.issues.join('; ')}`);
  const conf = loaded.conf;

  const password = conf.trustStore.password;
  for (const [path, content] of files) {
    const type = TRUSTSTORE_TYPES[extensionOf(path)];
    if (!type) continue;
    readTrust(path, () => trustedCaPemsOf(content, { password, type }, path, context.readTruststore));
  }
  // The truststore agent.conf names must be one the profile brings, or one that loads from disk now.
  const named = conf.trustStore.path.replace(/^\.\//, '');
  if (named.startsWith('conf/')) {
    if (!files.has(named)) {
      throw new ProfileRefusal(
        `${AGENT_CONF_PATH} names truststore ${named}, which the profile does not contain`,
      );
    }
  } else if (conf.secure) {
    readTrust(named, () =>
      loadTrustedCaPems(conf.trustStore, { resolve: context.resolveOutside }, context.readTruststore),
    );
  }
  return {
    confText: text,
    localConfText: local.text,
    effectiveText: layered.text,
    conf,
    notes: [...notes, ...local.notes, ...layered.notes],
  };
}

function readTrust(path: string, load: () => string[]): void {
  try {
    load();
  } catch (error) {
    throw new ProfileRefusal(
      `${path} does not load with the password in jetty.jvm.args: ${(error as Error).message}`,
    );
  }
}

/** The profile's agent.conf with `agent.id` set to this agent's id (comments and order kept). */
function withAgentId(text: string, agentId: string): { text: string; notes: string[] } {
  let doc: PropertiesDocument;
  try {
    doc = PropertiesDocument.parse(text);
  } catch (error) {
    throw new ProfileRefusal(
      `${AGENT_CONF_PATH} of the profile cannot be parsed: ${(error as Error).message}`,
    );
  }
  const given = doc.get('agent.id')?.trim();
  if (given === agentId) return { text, notes: [] };
  doc.set('agent.id', agentId);
  const notes = given ? [`the profile sets agent.id=${given}; this agent keeps its id ${agentId}`] : [];
  return { text: doc.toString(), notes };
}

function extensionOf(path: string): string {
  const dot = path.lastIndexOf('.');
  return dot > path.lastIndexOf('/') ? path.slice(dot).toLowerCase() : '';
}

/** Semantic versions by their numeric core; a pre-release counts as before its release. */
export function compareVersions(a: string, b: string): number {
  const parse = (v: string) => {
    const [core, pre] = v.split('-', 2);
    return { parts: core.split('.').map((n) => Number.parseInt(n, 10) || 0), pre };
  };
  const x = parse(a);
  const y = parse(b);
  for (let i = 0; i < 3; i++) {
    const d = (x.parts[i] ?? 0) - (y.parts[i] ?? 0);
    if (d !== 0) return Math.sign(d);
  }
  if (x.pre === y.pre) return 0;
  if (x.pre === undefined) return 1;
  if (y.pre === undefined) return -1;
  return x.pre < y.pre ? -1 : 1;
}
