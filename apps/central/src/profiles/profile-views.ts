import { PropertiesDocument } from '../../../../libs/properties/index.js';
import { type AgentConfKeysView, describeKeys } from './profile-agent-conf.js';
import { type ProfileRevision, type RevisionCertificate } from './profile-revisions.repository.js';
import { type TruststoreEntryView } from './profile-truststore.resolver.js';
import { type ProfileDraft } from './profiles.repository.js';
import { setPropertyValue } from './properties-value.edit.js';
import { maskTruststorePassword, PASSWORD_PLACEHOLDER } from './truststore-jvm-args.js';
import { type TruststoreEntry } from './truststore-selection.js';

// What the API answers. The truststore password never appears: `truststorePassword: "(set)"`.

export interface RevisionSummary {
  revision: number;
  sha256: string;
  sizeBytes: number;
  minimumAgentVersion: string;
  requiredCapabilities: string[];
  createdAt: Date;
  createdBy: string;
}

export interface ProfileListItem {
  name: string;
  builtIn: boolean;
  description: string;
  copiedFrom: string | null;
  draftVersion: number;
  updatedAt: Date;
  updatedBy: string;
  latestRevision: RevisionSummary | null;
  /** Whether preparing now would make a new revision; null when that cannot be told (no server certificate). */
  draftChanged: boolean | null;
}

export interface ProfileView extends ProfileListItem {
  createdAt: Date;
  createdBy: string;
  agentConf: string;
  keys: AgentConfKeysView;
  truststore: Array<TruststoreEntryView & { pem?: string }>;
  truststorePassword: typeof PASSWORD_PLACEHOLDER;
  minimumAgentVersion: string;
  requiredCapabilities: string[];
  revisions: RevisionSummary[];
}

export interface RevisionView extends RevisionSummary {
  profile: string;
  manifest: ProfileRevision['manifest'];
  /** As in the archive, with the truststore password shown as "(set)". */
  agentConf: string;
  truststore: RevisionCertificate[];
  truststorePassword: typeof PASSWORD_PLACEHOLDER;
}

export function revisionSummary(r: ProfileRevision): RevisionSummary {
  return {
    revision: r.revision,
    sha256: r.sha256,
    sizeBytes: r.sizeBytes,
    minimumAgentVersion: r.minimumAgentVersion,
    requiredCapabilities: r.requiredCapabilities,
    createdAt: r.createdAt,
    createdBy: r.createdBy,
  };
}

export function listItem(
  d: ProfileDraft,
  latest: ProfileRevision | undefined,
  draftChanged: boolean | null,
): ProfileListItem {
  return {
    name: d.name,
    builtIn: d.builtIn,
    description: d.description,
    copiedFrom: d.copiedFrom,
    draftVersion: d.draftVersion,
    updatedAt: d.updatedAt,
    updatedBy: d.updatedBy,
    latestRevision: latest ? revisionSummary(latest) : null,
    draftChanged,
  };
}

export function profileView(
  d: ProfileDraft,
  revisions: ProfileRevision[],
  truststore: TruststoreEntryView[],
  draftChanged: boolean | null,
): ProfileView {
  return {
    ...listItem(d, revisions[0], draftChanged),
    createdAt: d.createdAt,
    createdBy: d.createdBy,
    agentConf: d.agentConf,
    keys: describeKeys(d.agentConf),
    truststore: truststore.map((view, i) => {
      const entry: TruststoreEntry | undefined = d.truststore[i];
      return entry?.source === 'uploaded' ? { ...view, pem: entry.pem } : view;
    }),
    truststorePassword: PASSWORD_PLACEHOLDER,
    minimumAgentVersion: d.minimumAgentVersion,
    requiredCapabilities: d.requiredCapabilities,
    revisions: revisions.map(revisionSummary),
  };
}

export function revisionView(r: ProfileRevision): RevisionView {
  return {
    profile: r.profile,
    ...revisionSummary(r),
    manifest: r.manifest,
    agentConf: maskedAgentConf(r.agentConf),
    truststore: r.truststore,
    truststorePassword: PASSWORD_PLACEHOLDER,
  };
}

/** A revision's agent.conf with the truststore password replaced by "(set)"; everything else as shipped. */
export function maskedAgentConf(text: string): string {
  const doc = PropertiesDocument.parse(text);
  const args = doc.get('jetty.jvm.args');
  if (args === undefined) return text;
  return setPropertyValue(doc, 'jetty.jvm.args', maskTruststorePassword(args, PASSWORD_PLACEHOLDER));
}
