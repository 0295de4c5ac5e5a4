import { z } from 'zod';
import { agentEventSchema } from './agent-event-messages.js';
import {
  certificateCsrSchema,
  certificateIssuedSchema,
  certificateOfferSchema,
} from './certificate-messages.js';
import {
  diagnosticsChunkSchema,
  diagnosticsRequestSchema,
  diagnosticsResultSchema,
} from './diagnostics-messages.js';
import { profileChunkSchema, profileFetchSchema } from './profile-fetch-messages.js';
import { profileActivateSchema, profileStatusSchema, profileSyncSchema } from './profile-messages.js';
import { trustAnchorsSchema, trustReportSchema } from './trust-messages.js';
import {
  agentUpgradeSchema,
  agentUpgradeStatusSchema,
  packageChunkSchema,
  packageFetchSchema,
} from './upgrade-messages.js';

/** Version of the frame format in `libs/protocol`; bumped on any incompatible change. */
export const PROTOCOL_VERSION = 1;

/** Frames larger than this are refused with close code 1009 (docs/design.md §6). */
export const MAX_FRAME_BYTES = 64 * 1024;

/** The path of the agent WebSocket endpoint on both listeners. */
export const AGENT_PATH = '/agent';

export const AGENT_ID_PATTERN = /^[A-Za-z0-9._-]{1,128}$/;
/** A group name: what `agent.group` lists and rollouts target (ADR 37). */
export const GROUP_NAME_PATTERN = /^[A-Za-z0-9._-]{1,64}$/;
/** At most this many groups per agent, reported or set by an admin. */
export const MAX_GROUPS = 64;

const agentId = z.string().regex(AGENT_ID_PATTERN, 'must be 1-128 characters of A-Z a-z 0-9 . _ -');
const sha256 = z.string().regex(/^[0-9a-f]{64}$/, 'must be a lower-case hex sha256');
const shortText = z.string().max(1024);
/** PEM text (central answers a CSR with a short chain). */
const pem = (label: string, max: number) =>
  z
    .string()
    .max(max)
    .refine((v) => v.trimStart().startsWith(`-----BEGIN ${label}-----`), `must be a PEM ${label}`);

export const transportSchema = z.enum(['plain', 'secure', 'secure+mtls']);
export type Transport = z.infer<typeof transportSchema>;

export const helloSchema = z.strictObject({
  type: z.literal('hello'),
  agentId,
  agentVersion: z.string().min(1).max(64),
  protocolVersion: z.number().int().min(1),
  capabilities: z.array(z.string().min(1).max(64)).max(64),
  profileSha256: sha256.nullable(),
  /** A revision downloaded, verified and staged but not active yet (after `profile.sync`). */
  stagedProfileSha256: sha256.nullable().optional(),
  /**
   * True on the candidate connection an activation opens to try new settings (the old profile is still
   * active, the new one staged); false on every other connection. Older agents leave it out.
   */
  candidate: z.boolean().optional(),
  transport: transportSchema,
  /** The anchors of the truststore this connection trusts (wss only); absent: central treats them as unknown. */
  trustAnchors: trustAnchorsSchema.optional(),
  /**
   * The groups of the agent's own `agent.group` (ADR 37); central targets them together with the groups an
   * admin set. Older agents leave it out: central keeps what it last heard.
   */
  groups: z
    .array(z.string().regex(GROUP_NAME_PATTERN, 'must be 1-64 characters of A-Z a-z 0-9 . _ -'))
    .max(MAX_GROUPS)
    .optional(),
});

export const goodbyeSchema = z.strictObject({
  type: z.literal('goodbye'),
  reason: shortText.optional(),
});

export const commandResultSchema = z.strictObject({
  type: z.literal('command.result'),
  id: z.string().min(1).max(64),
  ok: z.boolean(),
  output: z
    .string()
    .max(32 * 1024)
    .optional(),
});

export const desiredProfileSchema = z.strictObject({
  name: z.string().min(1).max(128),
  revision: z.number().int().min(1),
  sha256,
});

export const welcomeSchema = z.strictObject({
  type: z.literal('welcome'),
  agentId,
  nodeId: z.string().min(1).max(128),
  heartbeatIntervalMs: z.number().int().min(1000).max(600_000),
  desiredProfile: desiredProfileSchema.nullable(),
  /** Present only on the first connection with an enrollment token: the agent's own credential. */
  credential: z.string().min(32).max(256).optional(),
  /**
   * Present when central signed the CSR sent at the upgrade (CSR_HEADER): the agent's client certificate,
   * then the local CA, as PEM.
   */
  certificateChainPem: pem('CERTIFICATE', 16_384).optional(),
  /**
   * Central's Ed25519 profile-signing public key (SPKI PEM). The agent pins the one it receives at
   * enrollment and verifies every profile archive's manifest.sig against it.
   */
  profileSigningKey: pem('PUBLIC KEY', 1024).optional(),
  /**
   * Agent frame types central accepts beyond the base set (e.g. `agent.event`, ADR 51). Sent only to an
   * agent whose hello announced it can use them: older agents parse welcome strictly.
   */
  accepts: z.array(z.string().min(1).max(64)).max(32).optional(),
});

export const commandSchema = z.strictObject({
  type: z.literal('command'),
  id: z.string().min(1).max(64),
  name: z.enum(['status.report', 'restart']),
  args: z.record(z.string(), z.string()).optional(),
});

export const agentFrameSchema = z.discriminatedUnion('type', [
  helloSchema,
  goodbyeSchema,
  commandResultSchema,
  profileStatusSchema,
  certificateCsrSchema,
  trustReportSchema,
  profileFetchSchema,
  diagnosticsChunkSchema,
  diagnosticsResultSchema,
  agentUpgradeStatusSchema,
  packageFetchSchema,
  agentEventSchema,
]);
export const centralFrameSchema = z.discriminatedUnion('type', [
  welcomeSchema,
  commandSchema,
  profileSyncSchema,
  profileActivateSchema,
  certificateOfferSchema,
  certificateIssuedSchema,
  profileChunkSchema,
  diagnosticsRequestSchema,
  agentUpgradeSchema,
  packageChunkSchema,
]);

export type Hello = z.infer<typeof helloSchema>;
export type Goodbye = z.infer<typeof goodbyeSchema>;
export type CommandResult = z.infer<typeof commandResultSchema>;
export type Welcome = z.infer<typeof welcomeSchema>;
export type Command = z.infer<typeof commandSchema>;
export type AgentFrame = z.infer<typeof agentFrameSchema>;
export type CentralFrame = z.infer<typeof centralFrameSchema>;
