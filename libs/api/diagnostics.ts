import { z } from 'zod';
import { AGENT_ID_PATTERN, GROUP_NAME_PATTERN } from '../protocol/messages.js';
import { timestamp, type Wire } from './wire.js';

// /api/diagnostics: bundles asked of online agents, uploaded over their sessions (ADR 44).

/** The most agents one request asks. */
export const MAX_AGENTS_PER_REQUEST = 500;

const agentId = z.string().regex(AGENT_ID_PATTERN, 'must be an agent id (1-128 of A-Z a-z 0-9 . _ -)');

/** POST /api/diagnostics */
export const diagnosticsRequestSchema = z
  .strictObject({
    agentIds: z
      .array(agentId)
      .min(1, 'name at least one agent')
      .max(MAX_AGENTS_PER_REQUEST)
      .transform((ids) => [...new Set(ids)])
      .optional(),
    /** Every agent of this group (set by an admin or reported), instead of `agentIds`. */
    group: z.string().regex(GROUP_NAME_PATTERN, 'must be 1-64 characters of A-Z a-z 0-9 . _ -').optional(),
    /** A request whose bundle has not arrived by then is marked failed. */
    timeoutSeconds: z.number().int().min(5).max(600).default(120),
  })
  .refine((b) => (b.agentIds === undefined) !== (b.group === undefined), {
    message: 'give either agentIds or group',
    path: ['agentIds'],
  });

/** GET /api/diagnostics?agentId&limit */
export const diagnosticsListQuerySchema = z.strictObject({
  agentId: agentId.optional(),
  limit: z.coerce.number().int().min(1).max(1000).default(100),
});

export const diagnosticsIdSchema = z.uuid('must be a diagnostics request id (a UUID)');

export const diagnosticBundleSchema = z.object({
  id: z.string(),
  agentId: z.string(),
  state: z.enum(['requested', 'received', 'failed']),
  reason: z.string().nullable(),
  requestedBy: z.string(),
  requestedAt: timestamp,
  deadlineAt: timestamp,
  receivedAt: timestamp.nullable(),
  maxBytes: z.number(),
  sizeBytes: z.number().nullable(),
  sha256: z.string().nullable(),
});
export const diagnosticBundleListSchema = z.array(diagnosticBundleSchema);

export const diagnosticsRequestAnswerSchema = z.object({
  requested: z.array(diagnosticBundleSchema),
  /** Agents not asked, each with the reason (offline, cannot send bundles, unknown, …). */
  refused: z.array(z.object({ agentId: z.string(), reason: z.string() })),
});

export type DiagnosticBundle = Wire<typeof diagnosticBundleSchema>;
export type DiagnosticsRequestAnswer = Wire<typeof diagnosticsRequestAnswerSchema>;
