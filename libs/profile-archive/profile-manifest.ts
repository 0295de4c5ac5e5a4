import { createHash } from 'node:crypto';
import { z } from 'zod';
import { canonicalJson } from './canonical-json.js';
import { validateArchivePath } from './archive-path.validation.js';
import { MANIFEST_FORMAT_VERSION, MANIFEST_NAME } from './profile-archive.layout.js';
import { ProfileArchiveError, ProfileArchiveErrorCode } from './profile-archive.errors.js';

const sha256Hex = z.string().regex(/^[0-9a-f]{64}$/, 'must be a lower-case hex sha256');

/** Same bounds as `desiredProfileSchema` and `hello.capabilities` in libs/protocol. */
const profileName = z
  .string()
  .min(1)
  .max(128)
  .regex(/^[^\p{Cc}]+$/u, 'must not contain control characters');
const capability = z.string().min(1).max(64);

/** Semantic version without build metadata (`1.4.0`, `2.0.0-rc.1`), as agents report it in `hello`. */
export const AGENT_VERSION_PATTERN = /^(0|[1-9]\d*)\.(0|[1-9]\d*)\.(0|[1-9]\d*)(-[0-9A-Za-z.-]+)?$/;

const filePath = z.string().superRefine((path, context) => {
  try {
    validateArchivePath(path);
  } catch (error) {
    context.addIssue({ code: 'custom', message: (error as Error).message });
  }
});

export const profileManifestSchema = z.strictObject({
  formatVersion: z.literal(MANIFEST_FORMAT_VERSION),
  profile: profileName,
  revision: z.number().int().min(1).max(Number.MAX_SAFE_INTEGER),
  minimumAgentVersion: z.string().max(64).regex(AGENT_VERSION_PATTERN, 'must be a version like 1.4.0'),
  requiredCapabilities: z
    .array(capability)
    .max(64)
    .refine((list) => new Set(list).size === list.length, 'must not repeat a capability'),
  files: z.record(
    filePath,
    z.strictObject({
      sha256: sha256Hex,
      size: z.number().int().min(0).max(Number.MAX_SAFE_INTEGER),
    }),
  ),
});

/**
 * What manifest.json says: the profile and revision, the sha256 and size of every file (keyed by archive
 * path), and what an agent needs to run it. No timestamps: times live in central's database, so the same
 * content always gives the same manifest bytes.
 */
export type ProfileManifest = z.infer<typeof profileManifestSchema>;

/** The exact bytes of manifest.json for a manifest: canonical JSON in UTF-8. */
export const manifestBytes = (manifest: ProfileManifest): Buffer =>
  Buffer.from(canonicalJson(manifest), 'utf8');

/** Lower-case hex sha256 of the manifest's canonical bytes (the bytes manifest.sig signs). */
export const manifestSha256 = (manifest: ProfileManifest): string =>
  createHash('sha256').update(manifestBytes(manifest)).digest('hex');

/**
 * Parses manifest.json bytes. Beyond the schema, the bytes must be exactly the canonical form of what they
 * parse to, so one manifest has one spelling (no duplicate keys, no stray whitespace, no BOM).
 *
 * @throws ProfileArchiveError MANIFEST_INVALID naming the first problem.
 */
export function parseManifest(bytes: Buffer): ProfileManifest {
  const invalid = (why: string) =>
    new ProfileArchiveError(ProfileArchiveErrorCode.MANIFEST_INVALID, `${MANIFEST_NAME} ${why}`);
  let text: string;
  let json: unknown;
  try {
    text = new TextDecoder('utf-8', { fatal: true, ignoreBOM: true }).decode(bytes);
    json = JSON.parse(text);
  } catch {
    throw invalid('is not UTF-8 JSON');
  }
  const parsed = profileManifestSchema.safeParse(json);
  if (!parsed.success) {
    const issue = parsed.error.issues[0]!;
    const where = issue.path.length > 0 ? issue.path.map(String).join('.') : '(root)';
    throw invalid(`is not a valid manifest: ${where}: ${issue.message}`);
  }
  if (canonicalJson(json) !== text) throw invalid('is not in canonical form (sorted keys, two-space indent)');
  return parsed.data;
}
