import { PropertiesDocument } from '../../../../libs/properties/index.js';
import { maskTruststorePassword, truststorePasswordOf } from './truststore-jvm-args.js';

/** One side of a diff: a revision, or the draft as it would be prepared now. */
export interface DiffSide {
  ref: number | 'draft';
  /** agent.conf with the real truststore password (never returned: only compared). */
  agentConf: string;
  truststore: Array<{ alias: string; fingerprintSha256: string; subject: string }>;
  minimumAgentVersion: string;
  requiredCapabilities: string[];
}

export interface AgentConfChange {
  key: string;
  change: 'added' | 'removed' | 'changed';
  old?: string;
  new?: string;
}

export interface ProfileDiff {
  from: number | 'draft';
  to: number | 'draft';
  identical: boolean;
  agentConf: AgentConfChange[];
  truststore: {
    added: DiffSide['truststore'];
    removed: DiffSide['truststore'];
  };
  /** Whether the truststore password differs; its values are never shown. */
  truststorePassword: 'changed' | 'unchanged';
  minimumAgentVersion?: { old: string; new: string };
  requiredCapabilities?: { added: string[]; removed: string[] };
}

const SHOWN = '(set)';
const SHOWN_CHANGED = '(changed)';

/**
 * What changes from `from` to `to`: agent.conf key by key (effective values, in `to`'s key order, removed
 * keys last), truststore certificates by fingerprint, the requirements. A truststore password shows as
 * "(set)", or "(changed)" on the new side when it differs.
 */
export function diffProfiles(from: DiffSide, to: DiffSide): ProfileDiff {
  const before = new Map(PropertiesDocument.parse(from.agentConf).entries());
  const after = new Map(PropertiesDocument.parse(to.agentConf).entries());
  const passwordChanged = passwordOf(before) !== passwordOf(after);
  const show = (value: string, changed: boolean) =>
    value.includes('trustStorePassword')
      ? maskTruststorePassword(value, changed ? SHOWN_CHANGED : SHOWN)
      : value;

  const agentConf: AgentConfChange[] = [];
  for (const [key, value] of after) {
    const old = before.get(key);
    if (old === undefined) agentConf.push({ key, change: 'added', new: show(value, false) });
    else if (old !== value)
      agentConf.push({ key, change: 'changed', old: show(old, false), new: show(value, passwordChanged) });
  }
  for (const [key, old] of before) {
    if (!after.has(key)) agentConf.push({ key, change: 'removed', old: show(old, false) });
  }

  const fingerprints = (side: DiffSide) => new Set(side.truststore.map((c) => c.fingerprintSha256));
  const [fromPrints, toPrints] = [fingerprints(from), fingerprints(to)];
  const truststore = {
    added: to.truststore.filter((c) => !fromPrints.has(c.fingerprintSha256)),
    removed: from.truststore.filter((c) => !toPrints.has(c.fingerprintSha256)),
  };

  const fromCaps = new Set(from.requiredCapabilities);
  const toCaps = new Set(to.requiredCapabilities);
  const capabilities = {
    added: [...toCaps].filter((c) => !fromCaps.has(c)).sort(),
    removed: [...fromCaps].filter((c) => !toCaps.has(c)).sort(),
  };
  const diff: ProfileDiff = {
    from: from.ref,
    to: to.ref,
    identical: false,
    agentConf,
    truststore,
    truststorePassword: passwordChanged ? 'changed' : 'unchanged',
  };
  if (from.minimumAgentVersion !== to.minimumAgentVersion) {
    diff.minimumAgentVersion = { old: from.minimumAgentVersion, new: to.minimumAgentVersion };
  }
  if (capabilities.added.length + capabilities.removed.length > 0) diff.requiredCapabilities = capabilities;
  diff.identical =
    agentConf.length === 0 &&
    truststore.added.length + truststore.removed.length === 0 &&
    !passwordChanged &&
    diff.minimumAgentVersion === undefined &&
    diff.requiredCapabilities === undefined;
  return diff;
}

function passwordOf(conf: Map<string, string>): string | undefined {
  const args = conf.get('jetty.jvm.args');
  return args === undefined ? undefined : truststorePasswordOf(args);
}
