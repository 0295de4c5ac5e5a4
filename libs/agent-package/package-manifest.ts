import { z } from 'zod';

/** The manifest's format tag; a later, incompatible layout gets a new one. */
export const PACKAGE_MANIFEST_FORMAT = 'switchyard-agent-package/1';

/** The only platform central delivers today: the bundled agent runs on any Node.js (ADR 38, ADR 45). */
export const PACKAGE_PLATFORM = 'node';

/** The largest agent package central takes and agents download (the real one is ~0.4 MiB). */
export const MAX_AGENT_PACKAGE_BYTES = 32 * 1024 * 1024;

/** The largest manifest accepted: a few hundred bytes in practice. */
export const MAX_PACKAGE_MANIFEST_BYTES = 4096;

/** A version as package.json spells it (semver, no leading `v`): it names a folder under `versions/`. */
export const PACKAGE_VERSION_PATTERN = /^\d+\.\d+\.\d+(?:-[0-9A-Za-z.-]{1,40})?$/;

const sha256 = z.string().regex(/^[0-9a-f]{64}$/, 'must be a lower-case hex sha256');

/**
 * What the signature covers: which archive (its sha256 and size), which version, for which platform and
 * from which Node.js major on. The archive itself is not inside: the manifest names it by hash.
 */
export const packageManifestSchema = z.strictObject({
  format: z.literal(PACKAGE_MANIFEST_FORMAT, `must be "${PACKAGE_MANIFEST_FORMAT}"`),
  name: z.literal('switchyard-agent', 'must be "switchyard-agent"'),
  version: z.string().regex(PACKAGE_VERSION_PATTERN, 'must be a version such as 1.2.3 or 1.2.3-rc.1'),
  platform: z.string().regex(/^[a-z0-9._-]{1,32}$/, 'must be a platform name such as "node"'),
  minNodeMajor: z.number().int('must be a whole number').min(1).max(999),
  /** The archive's file name, `switchyard-agent-<version>.tar.gz`. */
  archive: z
    .string()
    .regex(/^switchyard-agent-[0-9A-Za-z.-]{1,64}\.tar\.gz$/, 'must be switchyard-agent-<version>.tar.gz'),
  sha256,
  sizeBytes: z
    .number()
    .int()
    .min(1)
    .max(MAX_AGENT_PACKAGE_BYTES, `must be at most ${MAX_AGENT_PACKAGE_BYTES} bytes`),
});

export type PackageManifest = z.infer<typeof packageManifestSchema>;

/** The manifest's bytes as they are signed: fixed key order, two-space indentation, a final newline. */
export function packageManifestBytes(manifest: PackageManifest): Buffer {
  const ordered: PackageManifest = {
    format: manifest.format,
    name: manifest.name,
    version: manifest.version,
    platform: manifest.platform,
    minNodeMajor: manifest.minNodeMajor,
    archive: manifest.archive,
    sha256: manifest.sha256,
    sizeBytes: manifest.sizeBytes,
  };
  return Buffer.from(`${JSON.stringify(ordered, null, 2)}\n`);
}

/** Parses manifest bytes; the result's `issues` name each bad field. */
export function parsePackageManifest(
  bytes: Buffer,
): { ok: true; manifest: PackageManifest } | { ok: false; issues: string[] } {
  if (bytes.length > MAX_PACKAGE_MANIFEST_BYTES)
    return { ok: false, issues: [`is ${bytes.length} bytes, more than ${MAX_PACKAGE_MANIFEST_BYTES}`] };
  let json: unknown;
  try {
    json = JSON.parse(bytes.toString('utf8'));
  } catch (error) {
    return { ok: false, issues: [`is not JSON: ${(error as Error).message}`] };
  }
  const parsed = packageManifestSchema.safeParse(json);
  if (parsed.success) return { ok: true, manifest: parsed.data };
  return {
    ok: false,
    issues: parsed.error.issues.map((i) => `${i.path.join('.') || '(manifest)'}: ${i.message}`),
  };
}
