import { createHash, type KeyObject } from 'node:crypto';
import {
  MAX_AGENT_PACKAGE_BYTES,
  PACKAGE_PLATFORM,
  type PackageManifest,
  parsePackageManifest,
} from './package-manifest.js';
import { packageKeyFingerprint, verifyPackageManifest } from './package-signature.js';
import { readTarGz, type TarEntry } from './tar-reader.js';

/** Why a package was refused; `field` is what the uploader (or the agent's report) should look at. */
export class AgentPackageError extends Error {
  constructor(
    readonly field: 'package' | 'manifest' | 'signature' | 'platform' | 'version',
    message: string,
  ) {
    super(message);
    this.name = 'AgentPackageError';
  }
}

export interface CheckedPackage {
  manifest: PackageManifest;
  /** Fingerprint of the key whose signature matched. */
  keyFingerprint: string;
  /** The archive's entries, below its one top folder `switchyard-agent-<version>/` (stripped). */
  files: TarEntry[];
}

/** The files every agent package has (ADR 38): the launcher and the bundle. */
export const PACKAGE_REQUIRED_FILES = ['bin/switchyard-agent', 'lib/switchyard-agent.mjs'];

/**
 * Checks a package end to end, in the order that gives the most useful reason: the manifest reads, the
 * signature is one of `keys`', the archive is the one the manifest names (sha256, size), it is for this
 * platform, and it unpacks safely into one `switchyard-agent-<version>/` folder with the launcher and the
 * bundle. Throws AgentPackageError naming what is wrong.
 */
export function checkAgentPackage(input: {
  archive: Buffer;
  manifestBytes: Buffer;
  signature: Buffer;
  keys: readonly KeyObject[];
}): CheckedPackage {
  const parsed = parsePackageManifest(input.manifestBytes);
  if (!parsed.ok)
    throw new AgentPackageError('manifest', `the manifest is invalid: ${parsed.issues.join('; ')}`);
  const manifest = parsed.manifest;
  const key = verifyPackageManifest(input.manifestBytes, input.signature, input.keys);
  if (!key)
    throw new AgentPackageError(
      'signature',
      input.keys.length === 0
        ? 'no agent-package signing key is trusted, so no signature can be checked'
        : `the signature does not verify against the trusted key(s) ${input.keys.map((k) => packageKeyFingerprint(k).slice(0, 16)).join(', ')} (signed with another key, or the manifest was changed)`,
    );
  if (input.archive.length > MAX_AGENT_PACKAGE_BYTES)
    throw new AgentPackageError(
      'package',
      `the archive is ${input.archive.length} bytes, more than ${MAX_AGENT_PACKAGE_BYTES}`,
    );
  const sha256 = createHash('sha256').update(input.archive).digest('hex');
  if (sha256 !== manifest.sha256 || input.archive.length !== manifest.sizeBytes)
    throw new AgentPackageError(
      'package',
      `the archive (sha256 ${sha256.slice(0, 16)}…, ${input.archive.length} bytes) is not the one the signed manifest names (sha256 ${manifest.sha256.slice(0, 16)}…, ${manifest.sizeBytes} bytes): tampered with, or another file`,
    );
  if (manifest.platform !== PACKAGE_PLATFORM)
    throw new AgentPackageError(
      'platform',
      `the package is for platform "${manifest.platform}"; agents here run the "${PACKAGE_PLATFORM}" package`,
    );
  return {
    manifest,
    keyFingerprint: packageKeyFingerprint(key),
    files: packageFiles(input.archive, manifest.version),
  };
}

/** The archive's entries below `switchyard-agent-<version>/`, checked for the files every package has. */
export function packageFiles(archive: Buffer, version: string): TarEntry[] {
  const root = `switchyard-agent-${version}`;
  let entries: TarEntry[];
  try {
    entries = readTarGz(archive);
  } catch (error) {
    throw new AgentPackageError('package', `the archive cannot be unpacked: ${(error as Error).message}`);
  }
  const files: TarEntry[] = [];
  for (const entry of entries) {
    if (entry.path === root) continue;
    if (!entry.path.startsWith(`${root}/`))
      throw new AgentPackageError('package', `"${entry.path}" is outside the package's folder ${root}/`);
    files.push({ ...entry, path: entry.path.slice(root.length + 1) });
  }
  const present = new Set(files.filter((f) => !f.folder).map((f) => f.path));
  const missing = PACKAGE_REQUIRED_FILES.filter((f) => !present.has(f));
  if (missing.length > 0)
    throw new AgentPackageError(
      'package',
      `the archive lacks ${missing.map((m) => `${root}/${m}`).join(', ')}`,
    );
  return files;
}
