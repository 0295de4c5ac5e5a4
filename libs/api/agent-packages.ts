import { z } from 'zod';
import { timestamp, type Wire } from './wire.js';

// /api/agent-packages: signed agent packages for upgrades (ADR 45). The version pattern and size limit
// are libs/agent-package's, which checks the package itself.

/** Multipart fields next to the three files. */
export const agentPackageUploadFieldsSchema = z.strictObject({
  allowDowngrade: z
    .enum(['true', 'false'], 'must be "true" or "false"')
    .transform((v) => v === 'true')
    .optional(),
});

export const agentPackageSchema = z.object({
  version: z.string(),
  sha256: z.string(),
  sizeBytes: z.number(),
  platform: z.string(),
  minNodeMajor: z.number(),
  publisherKeyFingerprint: z.string(),
  uploadedBy: z.string(),
  uploadedAt: timestamp,
});
export const agentPackageListSchema = z.array(agentPackageSchema);

/** After an upload: the package, and false in `created` when the same bytes were there already. */
export const agentPackageUploadSchema = agentPackageSchema.extend({ created: z.boolean() });

export type AgentPackage = Wire<typeof agentPackageSchema>;
