import { createHash, type KeyObject } from 'node:crypto';
import { caseFoldedName, validateArchivePath } from './archive-path.validation.js';
import { detectNestedArchive } from './nested-archive.detector.js';
import { ProfileArchiveError, ProfileArchiveErrorCode, quoteName } from './profile-archive.errors.js';
import { MANIFEST_FORMAT_VERSION, MANIFEST_NAME, SIGNATURE_NAME } from './profile-archive.layout.js';
import { DEFAULT_PROFILE_ARCHIVE_LIMITS } from './profile-archive.limits.js';
import type { BuiltProfileArchive, ProfileArchiveInput, ProfileFile } from './profile-archive.types.js';
import { manifestBytes, type ProfileManifest, profileManifestSchema } from './profile-manifest.js';
import { requireEd25519, signManifest } from './profile-signing-key.js';
import { writeDeterministicZip } from './zip.writer.js';

/**
 * Builds the archive of one profile revision: the files, manifest.json (canonical JSON, no timestamps) and
 * manifest.sig (Ed25519 over the exact manifest bytes). Deterministic: entries sorted by the bytes of their
 * names, one fixed timestamp and mode, stored — the same input and key always give the same bytes and
 * sha256. Input the opener would refuse is refused here, so every archive built can be opened.
 *
 * @throws ProfileArchiveError INVALID_INPUT (profile, revision, version, capabilities, reserved names, no
 *   files, wrong key), UNSAFE_PATH, DUPLICATE_ENTRY, NESTED_ARCHIVE, TOO_MANY_ENTRIES, UNPACKED_TOO_LARGE.
 */
export async function buildProfileArchive(
  input: ProfileArchiveInput,
  signingKey: KeyObject,
): Promise<BuiltProfileArchive> {
  requireEd25519(signingKey, 'private', 'sign with');
  checkFiles(input.files);
  const manifest = manifestOf(input);
  const manifestJson = manifestBytes(manifest);
  const entries = [
    ...input.files,
    { path: MANIFEST_NAME, bytes: manifestJson },
    { path: SIGNATURE_NAME, bytes: signManifest(manifestJson, signingKey) },
  ].sort((a, b) => Buffer.compare(Buffer.from(a.path, 'utf8'), Buffer.from(b.path, 'utf8')));
  checkLimits(entries);
  const archive = await writeDeterministicZip(entries);
  return { archive, sha256: createHash('sha256').update(archive).digest('hex'), manifest };
}

const RESERVED_NAMES = new Set([MANIFEST_NAME, SIGNATURE_NAME].map(caseFoldedName));

function checkFiles(files: ProfileFile[]): void {
  if (files.length === 0) throw invalid('a profile archive needs at least one file');
  const seen = new Map<string, string>();
  for (const { path, bytes } of files) {
    validateArchivePath(path);
    const folded = caseFoldedName(path);
    if (RESERVED_NAMES.has(folded))
      throw invalid(`file ${quoteName(path)} uses a name the archive reserves for itself`);
    const other = seen.get(folded);
    if (other !== undefined) {
      throw new ProfileArchiveError(
        ProfileArchiveErrorCode.DUPLICATE_ENTRY,
        other === path
          ? `file ${quoteName(path)} is given twice`
          : `file ${quoteName(path)} differs from file ${quoteName(other)} only in case`,
      );
    }
    seen.set(folded, path);
    const nested = detectNestedArchive(bytes);
    if (nested !== undefined) {
      throw new ProfileArchiveError(
        ProfileArchiveErrorCode.NESTED_ARCHIVE,
        `file ${quoteName(path)} is itself an archive (${nested})`,
      );
    }
  }
}

function manifestOf(input: ProfileArchiveInput): ProfileManifest {
  // fromEntries defines own properties, so even a file named "__proto__" is listed, not a prototype.
  const files: ProfileManifest['files'] = Object.fromEntries(
    input.files.map(({ path, bytes }) => [
      path,
      { sha256: createHash('sha256').update(bytes).digest('hex'), size: bytes.length },
    ]),
  );
  const parsed = profileManifestSchema.safeParse({
    formatVersion: MANIFEST_FORMAT_VERSION,
    profile: input.profile,
    revision: input.revision,
    minimumAgentVersion: input.minimumAgentVersion,
    // Sorted and unique: the order an admin picked them in is not content.
    requiredCapabilities: [...new Set(input.requiredCapabilities)].sort(),
    files,
  });
  if (!parsed.success) {
    const issue = parsed.error.issues[0]!;
    throw invalid(`manifest field ${issue.path.map(String).join('.')}: ${issue.message}`);
  }
  return parsed.data;
}

function checkLimits(entries: ProfileFile[]): void {
  const { maxEntries, maxUnpackedBytes } = DEFAULT_PROFILE_ARCHIVE_LIMITS;
  if (entries.length > maxEntries) {
    throw new ProfileArchiveError(
      ProfileArchiveErrorCode.TOO_MANY_ENTRIES,
      `archive would have ${entries.length} entries (files, ${MANIFEST_NAME}, ${SIGNATURE_NAME}); at most ${maxEntries} are allowed`,
    );
  }
  const total = entries.reduce((sum, { bytes }) => sum + bytes.length, 0);
  if (total > maxUnpackedBytes) {
    throw new ProfileArchiveError(
      ProfileArchiveErrorCode.UNPACKED_TOO_LARGE,
      `archive would unpack to ${total} bytes; at most ${maxUnpackedBytes} are allowed`,
    );
  }
}

const invalid = (message: string) => new ProfileArchiveError(ProfileArchiveErrorCode.INVALID_INPUT, message);
