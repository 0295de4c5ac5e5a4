import { createHash, type KeyObject } from 'node:crypto';
import { chmodSync, existsSync, mkdirSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import {
  comparePackageVersions,
  packageFiles,
  PACKAGE_PLATFORM,
  parsePackageManifest,
} from '../../../../libs/agent-package/index.js';
import { verifyManifestSignature } from '../../../../libs/profile-archive/index.js';
import type { AgentUpgrade } from '../../../../libs/protocol/index.js';
import { syncDirectory } from '../atomic-file.js';
import type { UpgradeLayout } from './upgrade-layout.js';

/** A package the agent refuses, in words for central's rollout entry. */
export class UpgradeRefused extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'UpgradeRefused';
  }
}

/**
 * Checks an `agent.upgrade` before anything is downloaded: central's signature of the manifest with
 * the pinned profile-signing key, and that the manifest says what the frame says. A downgrade is refused
 * unless the package is the version the agent ran before (central asked for it explicitly then).
 */
export function checkUpgrade(frame: AgentUpgrade, pinned: KeyObject | undefined, running: string): void {
  if (!pinned) throw new UpgradeRefused('no profile-signing key is pinned yet, so no package can be checked');
  const manifestBytes = Buffer.from(frame.manifest, 'utf8');
  if (!verifyManifestSignature(manifestBytes, Buffer.from(frame.signature, 'base64'), pinned))
    throw new UpgradeRefused(
      "the package manifest's signature does not match the pinned profile-signing key",
    );
  const parsed = parsePackageManifest(manifestBytes);
  if (!parsed.ok) throw new UpgradeRefused(`the package manifest is invalid: ${parsed.issues.join('; ')}`);
  const m = parsed.manifest;
  if (m.version !== frame.version || m.sha256 !== frame.sha256 || m.sizeBytes !== frame.sizeBytes)
    throw new UpgradeRefused(
      `the signed manifest is for ${m.version} (${m.sha256.slice(0, 12)}, ${m.sizeBytes} bytes), not what agent.upgrade names`,
    );
  if (m.platform !== PACKAGE_PLATFORM)
    throw new UpgradeRefused(
      `the package is for platform "${m.platform}", this agent runs "${PACKAGE_PLATFORM}"`,
    );
  const nodeMajor = Number(process.versions.node.split('.')[0]);
  if (nodeMajor < m.minNodeMajor)
    throw new UpgradeRefused(
      `version ${m.version} needs Node.js >= ${m.minNodeMajor}; this is ${process.version}`,
    );
  if (m.version === running) throw new UpgradeRefused(`version ${m.version} is already running`);
}

/**
 * Installs a checked archive into `versions/<version>/`: unpacked into a staging folder beside it,
 * synced, then renamed into place, so a crash leaves either nothing or a whole version. A folder of
 * the same version left by an earlier attempt is replaced; the running version's folder never is.
 */
export function installPackage(
  layout: UpgradeLayout,
  archive: Buffer,
  frame: AgentUpgrade,
  running: string,
): string {
  const sha256 = createHash('sha256').update(archive).digest('hex');
  if (sha256 !== frame.sha256 || archive.length !== frame.sizeBytes)
    throw new UpgradeRefused(
      `the downloaded archive (sha256 ${sha256.slice(0, 12)}, ${archive.length} bytes) is not the signed one (${frame.sha256.slice(0, 12)}, ${frame.sizeBytes} bytes)`,
    );
  let files;
  try {
    files = packageFiles(archive, frame.version);
  } catch (error) {
    throw new UpgradeRefused((error as Error).message);
  }
  layout.ensure();
  const target = layout.versionDir(frame.version);
  if (frame.version === running) throw new UpgradeRefused(`version ${frame.version} is already running`);
  const staging = join(layout.dir, `.staging-${frame.version}-${process.pid}`);
  rmSync(staging, { recursive: true, force: true });
  mkdirSync(staging, { mode: 0o755 });
  try {
    for (const file of files) {
      const path = join(staging, ...file.path.split('/'));
      if (file.folder) {
        mkdirSync(path, { recursive: true, mode: 0o755 });
        continue;
      }
      mkdirSync(dirname(path), { recursive: true, mode: 0o755 });
      writeFileSync(path, file.data, { mode: file.mode & 0o755 });
      chmodSync(path, file.mode & 0o755);
    }
    syncDirectory(staging);
    if (existsSync(target)) rmSync(target, { recursive: true, force: true });
    renameSync(staging, target);
    syncDirectory(layout.dir);
  } catch (error) {
    rmSync(staging, { recursive: true, force: true });
    throw error;
  }
  return target;
}

/** True when `version` is older than the running one (said in the log; central decides downgrades). */
export function isDowngrade(version: string, running: string): boolean {
  try {
    return comparePackageVersions(version, running) < 0;
  } catch {
    return false;
  }
}
