import { z } from 'zod';
import { archiveChunkSchema, archiveFetchSchema } from './archive-chunk-messages.js';

// Agent upgrades through rollouts (issue 17 point 5, ADR 45). Central tells the agent which package to
// install (`agent.upgrade`, with the manifest and central's signature of it); the agent fetches the
// archive over its session (`package.fetch` → `package.chunk`, as profiles, ADR 24), checks it against
// its pinned profile-signing key, installs it beside the running version and restarts into it; it says
// how far it got with `agent.upgrade.status`. A new version that does not reach welcome in time goes
// back to the previous one by itself, which then reports `failed` with the reason.

/** Largest package archive offered in these frames (the real one is ~0.4 MiB). */
export const MAX_PACKAGE_ARCHIVE_BYTES = 32 * 1024 * 1024;
/** Largest chunk asked for: as profile chunks, well inside a 64 KiB frame once in base64. */
export const PACKAGE_CHUNK_BYTES = 32 * 1024;

const sha256 = z.string().regex(/^[0-9a-f]{64}$/, 'must be a lower-case hex sha256');
const deliveryId = z.string().min(1).max(64);
const version = z
  .string()
  .regex(/^\d+\.\d+\.\d+(?:-[0-9A-Za-z.-]{1,40})?$/, 'must be a version such as 1.2.3 or 1.2.3-rc.1');

/** central → agent: install this package and restart into it. */
export const agentUpgradeSchema = z.strictObject({
  type: z.literal('agent.upgrade'),
  deliveryId,
  version,
  sha256,
  sizeBytes: z.number().int().min(1).max(MAX_PACKAGE_ARCHIVE_BYTES),
  /** The package manifest exactly as signed (JSON text, switchyard-agent-package/1). */
  manifest: z.string().min(2).max(4096),
  /** Central's Ed25519 signature of the manifest bytes (base64), with the profile-signing key. */
  signature: z
    .string()
    .length(88)
    .regex(/^[A-Za-z0-9+/]+={0,2}$/, 'must be base64'),
});

export const agentUpgradeStateSchema = z.enum([
  'downloading',
  'installed',
  'restarting',
  'upgraded',
  'failed',
]);
export type AgentUpgradeState = z.infer<typeof agentUpgradeStateSchema>;

/** agent → central: how far an upgrade got; `failed` carries the reason. */
export const agentUpgradeStatusSchema = z
  .strictObject({
    type: z.literal('agent.upgrade.status'),
    deliveryId,
    version,
    state: agentUpgradeStateSchema,
    reason: z.string().min(1).max(1024).optional(),
  })
  .refine((f) => f.state !== 'failed' || f.reason !== undefined, {
    message: 'a failed status needs a reason',
    path: ['reason'],
  });

const bounds = { maxArchiveBytes: MAX_PACKAGE_ARCHIVE_BYTES, chunkBytes: PACKAGE_CHUNK_BYTES };

/** agent → central: bytes [offset, offset + length) of the package archive with this sha256. */
export const packageFetchSchema = archiveFetchSchema('package.fetch', bounds);

/** central → agent: the asked-for bytes (base64) and the archive's size, or why not. */
export const packageChunkSchema = archiveChunkSchema('package.chunk', bounds);

export type AgentUpgrade = z.infer<typeof agentUpgradeSchema>;
export type AgentUpgradeStatus = z.infer<typeof agentUpgradeStatusSchema>;
export type PackageFetch = z.infer<typeof packageFetchSchema>;
export type PackageChunk = z.infer<typeof packageChunkSchema>;
