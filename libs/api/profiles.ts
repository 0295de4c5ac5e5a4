import { z } from 'zod';
import { certificateSummarySchema } from './certificates.js';
import { timestamp, type Wire } from './wire.js';

// What /api/profiles answers (docs/profiles.md). The truststore password never appears: "(set)".

export const TRUSTSTORE_SOURCES = ['server-anchor', 'local-ca', 'uploaded'] as const;
export type TruststoreSource = (typeof TRUSTSTORE_SOURCES)[number];

export const revisionSummarySchema = z.object({
  revision: z.number(),
  sha256: z.string(),
  sizeBytes: z.number(),
  minimumAgentVersion: z.string(),
  requiredCapabilities: z.array(z.string()),
  createdAt: timestamp,
  createdBy: z.string(),
});

export const profileListItemSchema = z.object({
  name: z.string(),
  builtIn: z.boolean(),
  description: z.string(),
  copiedFrom: z.string().nullable(),
  draftVersion: z.number(),
  updatedAt: timestamp,
  updatedBy: z.string(),
  latestRevision: revisionSummarySchema.nullable(),
  /** Whether preparing now would make a new revision; null when that cannot be told (no server certificate). */
  draftChanged: z.boolean().nullable(),
});
export const profileListSchema = z.array(profileListItemSchema);

export const knownKeySchema = z.object({
  key: z.string(),
  value: z.string().nullable(),
  default: z.string().nullable(),
  required: z.boolean(),
  type: z.string(),
});

export const truststoreEntryViewSchema = z.object({
  source: z.enum(TRUSTSTORE_SOURCES),
  alias: z.string(),
  /** The certificate the entry stands for now; null when there is none (`problem` says why). */
  certificate: certificateSummarySchema.nullable(),
  problem: z.string().optional(),
  /** An uploaded certificate's PEM, to edit the draft with. */
  pem: z.string().optional(),
});

export const profileViewSchema = profileListItemSchema.extend({
  createdAt: timestamp,
  createdBy: z.string(),
  agentConf: z.string(),
  keys: z.object({
    known: z.array(knownKeySchema),
    unknown: z.array(z.object({ key: z.string(), value: z.string() })),
  }),
  truststore: z.array(truststoreEntryViewSchema),
  truststorePassword: z.literal('(set)'),
  minimumAgentVersion: z.string(),
  requiredCapabilities: z.array(z.string()),
  revisions: z.array(revisionSummarySchema),
});

export const revisionCertificateSchema = z.object({
  alias: z.string(),
  /** Colon-separated upper-case hex, as keytool prints it. */
  fingerprintSha256: z.string(),
  subject: z.string(),
  pem: z.string(),
});

export const revisionViewSchema = revisionSummarySchema.extend({
  profile: z.string(),
  /** The archive's manifest.json (docs/profiles.md). */
  manifest: z.record(z.string(), z.unknown()),
  /** As in the archive, with the truststore password shown as "(set)". */
  agentConf: z.string(),
  truststore: z.array(revisionCertificateSchema),
  truststorePassword: z.literal('(set)'),
});
export const revisionListSchema = z.array(revisionSummarySchema);

/** POST /api/profiles/:name/prepare: the revision, and whether it is new (201) or the latest again (200). */
export const prepareResultSchema = revisionViewSchema.extend({ created: z.boolean() });

const revisionRef = z.union([z.number(), z.literal('draft')]);
const certificateRef = z.object({ alias: z.string(), fingerprintSha256: z.string(), subject: z.string() });

/** GET /api/profiles/:name/diff */
export const profileDiffSchema = z.object({
  from: revisionRef,
  to: revisionRef,
  identical: z.boolean(),
  agentConf: z.array(
    z.object({
      key: z.string(),
      change: z.enum(['added', 'removed', 'changed']),
      old: z.string().optional(),
      new: z.string().optional(),
    }),
  ),
  truststore: z.object({ added: z.array(certificateRef), removed: z.array(certificateRef) }),
  /** Whether the truststore password differs; its values are never shown. */
  truststorePassword: z.enum(['changed', 'unchanged']),
  minimumAgentVersion: z.object({ old: z.string(), new: z.string() }).optional(),
  requiredCapabilities: z.object({ added: z.array(z.string()), removed: z.array(z.string()) }).optional(),
});

/** GET /api/profile-signing-key: the public half, for operators who verify archives by hand. */
export const profileSigningKeySchema = z.object({ publicKeyPem: z.string(), fingerprint: z.string() });

/** What PUT /api/profiles/:name takes for the truststore (server-anchor and local-ca resolve at prepare). */
export type TruststoreEntryInput =
  | { source: 'server-anchor'; alias?: string }
  | { source: 'local-ca'; alias?: string }
  | { source: 'uploaded'; alias: string; pem: string };

export type RevisionRef = number | 'draft';
export type RevisionSummary = Wire<typeof revisionSummarySchema>;
export type ProfileListItem = Wire<typeof profileListItemSchema>;
export type KnownKey = Wire<typeof knownKeySchema>;
export type TruststoreEntryView = Wire<typeof truststoreEntryViewSchema>;
export type ProfileView = Wire<typeof profileViewSchema>;
export type RevisionView = Wire<typeof revisionViewSchema>;
export type PrepareResult = Wire<typeof prepareResultSchema>;
export type ProfileDiff = Wire<typeof profileDiffSchema>;
