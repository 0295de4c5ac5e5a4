/** Shapes of /api/profiles as the UI reads them (docs/profiles.md). */

export interface CertificateSummary {
  subject: string;
  issuer: string;
  notBefore: string;
  notAfter: string;
  subjectAltNames: string[];
  fingerprintSha256: string;
  keyType: string;
  selfSigned: boolean;
  daysLeft: number;
}

export interface RevisionSummary {
  revision: number;
  sha256: string;
  sizeBytes: number;
  minimumAgentVersion: string;
  requiredCapabilities: string[];
  createdAt: string;
  createdBy: string;
}

export interface ProfileListItem {
  name: string;
  builtIn: boolean;
  description: string;
  copiedFrom: string | null;
  draftVersion: number;
  updatedAt: string;
  updatedBy: string;
  latestRevision: RevisionSummary | null;
  draftChanged: boolean | null;
}

export interface KnownKey {
  key: string;
  value: string | null;
  default: string | null;
  required: boolean;
  type: string;
}

export type TruststoreSource = 'server-anchor' | 'local-ca' | 'uploaded';

export interface TruststoreEntryView {
  source: TruststoreSource;
  alias: string;
  certificate: CertificateSummary | null;
  problem?: string;
  pem?: string;
}

/** What PUT /api/profiles/:name takes for the truststore (server-anchor and local-ca resolve at prepare). */
export type TruststoreEntryInput =
  | { source: 'server-anchor'; alias?: string }
  | { source: 'local-ca'; alias?: string }
  | { source: 'uploaded'; alias: string; pem: string };

export interface ProfileView extends ProfileListItem {
  createdAt: string;
  createdBy: string;
  agentConf: string;
  keys: { known: KnownKey[]; unknown: Array<{ key: string; value: string }> };
  truststore: TruststoreEntryView[];
  truststorePassword: string;
  minimumAgentVersion: string;
  requiredCapabilities: string[];
  revisions: RevisionSummary[];
}

export interface PrepareResult extends RevisionSummary {
  profile: string;
  created: boolean;
}

export type RevisionRef = number | 'draft';

export interface ProfileDiff {
  from: RevisionRef;
  to: RevisionRef;
  identical: boolean;
  agentConf: Array<{ key: string; change: 'added' | 'removed' | 'changed'; old?: string; new?: string }>;
  truststore: {
    added: Array<{ alias: string; fingerprintSha256: string; subject: string }>;
    removed: Array<{ alias: string; fingerprintSha256: string; subject: string }>;
  };
  truststorePassword: 'changed' | 'unchanged';
  minimumAgentVersion?: { old: string; new: string };
  requiredCapabilities?: { added: string[]; removed: string[] };
}
