import { z } from 'zod';
import { timestamp, type Wire } from './wire.js';

// /api/audit: the audit log, newest first, and its CSV export.

const filters = {
  before: z.string().regex(/^\d+$/, 'must be an audit entry id').optional(),
  search: z.string().max(200).optional(),
  actor: z.string().min(1).max(200).optional(),
  action: z.string().min(1).max(200).optional(),
  outcome: z.enum(['success', 'refused', 'failed']).optional(),
  from: z.coerce.date({ error: 'must be a date and time (ISO 8601)' }).optional(),
  to: z.coerce.date({ error: 'must be a date and time (ISO 8601)' }).optional(),
};

/** GET /api/audit */
export const auditQuerySchema = z.strictObject({
  limit: z.coerce.number().int().min(1).max(1000).default(100),
  ...filters,
});

/** GET /api/audit/export */
export const auditExportQuerySchema = z.strictObject(filters);

export const auditEntrySchema = z.object({
  id: z.string(),
  at: timestamp,
  actor: z.string(),
  address: z.string().nullable(),
  action: z.string(),
  target: z.string().nullable(),
  outcome: z.enum(['success', 'refused', 'failed']),
  details: z.record(z.string(), z.unknown()),
  /** The action in words ("cancel rollout 42"). */
  summary: z.string(),
});
export const auditListSchema = z.array(auditEntrySchema);

export type AuditEntry = Wire<typeof auditEntrySchema>;
