import {
  AGENT_CONF_KEYS,
  AgentConfError,
  JvmArgsSyntaxError,
  readAgentConf,
} from '../../../../libs/agent-conf/index.js';
import { PropertiesDocument, PropertiesSyntaxError } from '../../../../libs/properties/index.js';
import { type FieldIssue } from '../common/domain-error.js';
import { setPropertyValue } from './properties-value.edit.js';
import {
  PASSWORD_PLACEHOLDER,
  readTruststoreArgs,
  type TruststoreFormat,
  writeTruststoreArgs,
} from './truststore-jvm-args.js';
import { MAX_AGENT_CONF_BYTES } from '../../../../libs/api/profile-requests.js';

// The limit is the request schema's (libs/api).
export { MAX_AGENT_CONF_BYTES };
const JVM_ARGS = 'jetty.jvm.args';
const AGENT_ID = 'agent.id';
const KNOWN = new Set(AGENT_CONF_KEYS.map((k) => k.key));

/** A draft agent.conf that passed the checks, with the truststore options it asked for. */
export interface CheckedAgentConf {
  doc: PropertiesDocument;
  format: TruststoreFormat;
  /** A password written in `jetty.jvm.args` (not the placeholder): it becomes the profile's password. */
  passwordInText: string | undefined;
}

/**
 * Checks a profile's agent.conf: the properties syntax, every known key with the agent's own rules
 * (libs/agent-conf), and truststore options that point at the archive's truststores. `agent.id` may be
 * missing: it names one agent, and a profile is for many. Unknown keys are not judged.
 */
export function checkProfileAgentConf(text: string): CheckedAgentConf | { issues: FieldIssue[] } {
  if (Buffer.byteLength(text, 'utf8') > MAX_AGENT_CONF_BYTES) {
    return { issues: [{ field: 'agentConf', message: `must be at most ${MAX_AGENT_CONF_BYTES} bytes` }] };
  }
  if (text.includes('\0')) return { issues: [{ field: 'agentConf', message: 'must not contain NUL' }] };
  let doc: PropertiesDocument;
  try {
    doc = PropertiesDocument.parse(text);
  } catch (error) {
    if (error instanceof PropertiesSyntaxError)
      return { issues: [{ field: 'agentConf', message: error.message }] };
    throw error;
  }
  const issues: FieldIssue[] = [];
  try {
    readAgentConf(doc);
  } catch (error) {
    if (!(error instanceof AgentConfError)) throw error;
    for (const issue of error.issues) {
      if (issue.key === AGENT_ID && issue.message.startsWith('is required')) continue;
      issues.push({ field: issue.key, message: issue.message });
    }
  }
  let truststore: ReturnType<typeof readTruststoreArgs> = { format: 'JKS', password: undefined };
  try {
    truststore = readTruststoreArgs(doc.get(JVM_ARGS) ?? '');
  } catch (error) {
    if (!(error instanceof JvmArgsSyntaxError)) throw error; // already reported by readAgentConf
  }
  if ('error' in truststore) issues.push({ field: JVM_ARGS, message: truststore.error });
  if (issues.length > 0 || 'error' in truststore) return { issues: dedupe(issues) };
  return { doc, format: truststore.format, passwordInText: truststore.password };
}

/**
 * The agent.conf text with its truststore options set: the placeholder for a draft (the stored draft
 * never holds the password), the real password for a revision.
 */
export function withTruststoreOptions(
  doc: PropertiesDocument,
  format: TruststoreFormat,
  password: string,
): string {
  return setPropertyValue(doc, JVM_ARGS, writeTruststoreArgs(doc.get(JVM_ARGS) ?? '', format, password));
}

/** Draft text as stored: the truststore options normalized, the password replaced by the placeholder. */
export function draftText(checked: CheckedAgentConf): string {
  return withTruststoreOptions(checked.doc, checked.format, PASSWORD_PLACEHOLDER);
}

export interface AgentConfKeysView {
  known: Array<{
    key: string;
    value: string | null;
    default: string | null;
    required: boolean;
    type: string;
  }>;
  unknown: Array<{ key: string; value: string }>;
}

/** Known keys in the reference's order (set or not), then the keys central does not know, as written. */
export function describeKeys(text: string): AgentConfKeysView {
  const doc = PropertiesDocument.parse(text);
  return {
    known: AGENT_CONF_KEYS.map((k) => ({
      key: k.key,
      value: doc.get(k.key) ?? null,
      default: k.default ?? null,
      required: k.required && k.key !== AGENT_ID,
      type: k.type,
    })),
    unknown: doc
      .entries()
      .filter(([key]) => !KNOWN.has(key))
      .map(([key, value]) => ({ key, value })),
  };
}

function dedupe(issues: FieldIssue[]): FieldIssue[] {
  const seen = new Set<string>();
  return issues.filter((i) => !seen.has(`${i.field}\0${i.message}`) && seen.add(`${i.field}\0${i.message}`));
}
