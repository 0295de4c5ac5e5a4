import { z } from 'zod';
import { GROUP_NAME_PATTERN } from '../protocol/messages.js';
import { timestamp, type Wire } from './wire.js';

// /api/agents: the fleet, enrollment tokens, an agent's groups (docs/design.md, ADR 25, ADR 37).

export const GROUP_MESSAGE = 'must be 1-64 characters of A-Z a-z 0-9 . _ -';
export const groupName = z.string().regex(GROUP_NAME_PATTERN, GROUP_MESSAGE);

export const AGENT_STATUSES = ['online', 'offline', 'disconnected', 'never_connected'] as const;
export const TRANSPORTS = ['plain', 'secure', 'secure+mtls'] as const;
export type AgentStatus = (typeof AGENT_STATUSES)[number];
export type Transport = (typeof TRANSPORTS)[number];

/** The most admin groups one agent has. */
export const MAX_ADMIN_GROUPS = 32;

/** GET /api/agents?status&transport&group&limit&offset */
export const agentListQuerySchema = z.strictObject({
  status: z.enum(AGENT_STATUSES).optional(),
  transport: z.enum(TRANSPORTS).optional(),
  /** Agents in this group, whether an admin set it or the agent reported it. */
  group: groupName.optional(),
  limit: z.coerce.number().int().min(1).max(10_000).default(1000),
  offset: z.coerce.number().int().min(0).default(0),
});

/** POST /api/agents/enrollment-tokens */
export const enrollmentTokenRequestSchema = z.strictObject({
  expiresInMinutes: z
    .number()
    .int()
    .min(1)
    .max(60 * 24 * 90)
    .default(60 * 24),
  maxUses: z.number().int().min(1).max(1_000_000).nullable().default(null),
  description: z.string().max(200).default(''),
  agentIdPrefix: z
    .string()
    .regex(/^[A-Za-z0-9._-]{1,64}$/, 'must be 1-64 characters of A-Z a-z 0-9 . _ - (the start of agent ids)')
    .optional(),
  group: groupName.optional(),
});

/** POST /api/agents/:id/re-enroll */
export const reEnrollRequestSchema = z.strictObject({
  expiresInMinutes: z
    .number()
    .int()
    .min(1)
    .max(60 * 24)
    .default(60),
});

export const enrollmentTokenIdSchema = z.uuid('must be a token id');

/** PUT /api/agents/:id/groups: the admin groups (duplicates count once). */
export const agentGroupsRequestSchema = z.strictObject({
  groups: z
    .array(groupName)
    .max(MAX_ADMIN_GROUPS)
    .transform((groups) => [...new Set(groups)].sort()),
});

/** A CA the agent trusts: SHA-256 of its DER certificate, and its subject. */
export const trustAnchorViewSchema = z.object({ sha256: z.string(), subject: z.string() });

export const agentSchema = z.object({
  id: z.string(),
  status: z.enum(AGENT_STATUSES),
  transport: z.enum(TRANSPORTS).nullable(),
  /** `connector/<name>` when the agent reaches central through a TLS connector (ADR 15). */
  via: z.string().nullable(),
  /** The transport as operators read it: `secure (via connector)` for a connector's agents. */
  transportDisplay: z.string().nullable(),
  agentVersion: z.string().nullable(),
  capabilities: z.array(z.string()),
  profileSha256: z.string().nullable(),
  /** A revision the agent downloaded and verified but has not activated (reported at hello). */
  stagedProfileSha256: z.string().nullable(),
  /** What rollouts and the group filter match: `adminGroups` and `reportedGroups` together (ADR 37). */
  groups: z.array(z.string()),
  /** Set by an admin (or the enrollment token). */
  adminGroups: z.array(z.string()),
  /** From the agent's own agent.group, as its last hello said. */
  reportedGroups: z.array(z.string()),
  nodeId: z.string().nullable(),
  remoteAddress: z.string().nullable(),
  enrolledAt: timestamp,
  revokedAt: timestamp.nullable(),
  connectedAt: timestamp.nullable(),
  lastSeenAt: timestamp.nullable(),
  /** The trust anchors of the agent's truststore as it last reported them; null: it never reported. */
  trustAnchors: z.array(trustAnchorViewSchema).nullable(),
  trustReportedAt: timestamp.nullable(),
});
export const agentListSchema = z.array(agentSchema);

export const enrollmentTokenSchema = z.object({
  id: z.string(),
  description: z.string(),
  createdAt: timestamp,
  createdBy: z.string(),
  expiresAt: timestamp,
  maxUses: z.number().nullable(),
  uses: z.number(),
  revokedAt: timestamp.nullable(),
  /** A re-enroll token: the one agent it may enroll again. */
  agentId: z.string().nullable(),
  /** Only agent ids starting with this enroll with the token. */
  agentIdPrefix: z.string().nullable(),
  /** The group agents enrolled with the token join. */
  group: z.string().nullable(),
});
export const enrollmentTokenListSchema = z.array(enrollmentTokenSchema);

/** The token itself is in this answer only; central keeps its hash. */
export const newEnrollmentTokenSchema = z.object({
  id: z.string(),
  token: z.string(),
  expiresAt: timestamp,
  maxUses: z.number().nullable(),
  description: z.string(),
  agentIdPrefix: z.string().nullable().optional(),
  group: z.string().nullable().optional(),
  /** Set on a re-enroll token. */
  agentId: z.string().optional(),
});

export type Agent = Wire<typeof agentSchema>;
export type TrustAnchor = Wire<typeof trustAnchorViewSchema>;
export type EnrollmentToken = Wire<typeof enrollmentTokenSchema>;
export type NewEnrollmentToken = Wire<typeof newEnrollmentTokenSchema>;
