import type { KeyObject } from 'node:crypto';
import type { ProfileArchiveLimits } from './profile-archive.limits.js';
import type { ProfileManifest } from './profile-manifest.js';

/** One file of a profile revision, by its path inside the archive (`conf/agent.conf`, …). */
export interface ProfileFile {
  path: string;
  bytes: Buffer;
}

/** What a revision is made of; the manifest is derived from it. */
export interface ProfileArchiveInput {
  profile: string;
  revision: number;
  files: ProfileFile[];
  /** Oldest agent version that can run this revision (semantic version). */
  minimumAgentVersion: string;
  /** Capabilities an agent must report in `hello` to be sent this revision (e.g. `wss`). */
  requiredCapabilities: string[];
}

export interface BuiltProfileArchive {
  archive: Buffer;
  /** Lower-case hex sha256 of `archive`: what central announces and the agent reports back. */
  sha256: string;
  manifest: ProfileManifest;
}

export interface OpenProfileArchiveOptions {
  /** Central's profile-signing public key, pinned by the agent at enrollment. */
  publicKey: KeyObject;
  /** The sha256 central announced for this revision; the archive is refused if it differs. */
  expectedSha256?: string;
  /** Overrides of the default limits (64 entries, 10 MiB unpacked). */
  limits?: Partial<ProfileArchiveLimits>;
}

export interface OpenedProfileArchive {
  manifest: ProfileManifest;
  /** Every file the manifest lists, verified, by archive path (manifest.json and manifest.sig excluded). */
  files: Map<string, Buffer>;
  /** Lower-case hex sha256 of the archive. */
  sha256: string;
}
