import { createHash } from 'node:crypto';
import type { Entry, ZipFile } from 'yauzl';
import { caseFoldedName, validateArchivePath } from './archive-path.validation.js';
import { UnpackBudget, unpackEntry } from './entry.unpacker.js';
import { detectNestedArchive } from './nested-archive.detector.js';
import { ProfileArchiveError, ProfileArchiveErrorCode, quoteName } from './profile-archive.errors.js';
import { MANIFEST_NAME, SIGNATURE_BYTES, SIGNATURE_NAME } from './profile-archive.layout.js';
import { DEFAULT_PROFILE_ARCHIVE_LIMITS, type ProfileArchiveLimits } from './profile-archive.limits.js';
import type { OpenedProfileArchive, OpenProfileArchiveOptions } from './profile-archive.types.js';
import { parseManifest, type ProfileManifest } from './profile-manifest.js';
import {
  profileSigningKeyFingerprint,
  requireEd25519,
  verifyManifestSignature,
} from './profile-signing-key.js';
import { entryName, requirePlainEncoding, requireRegularFile } from './zip-entry.checks.js';
import { openZip, readCentralDirectory, storedData } from './zip.reader.js';

interface NamedEntry {
  name: string;
  entry: Entry;
}

/**
 * Verifies and unpacks a profile archive entirely in memory; nothing touches the disk. Checks run cheapest
 * and least trusting first: the archive's sha256; then the central directory alone (entry count, names,
 * file types, encryption, compression, duplicates, declared sizes); then manifest.json and manifest.sig,
 * bounded, and the signature against the pinned key; only then the files, each bounded by its declared
 * size and all by the unpacked limit, against the signed sha256 list.
 *
 * @throws ProfileArchiveError with a code per problem and a message naming the entry.
 */
export async function openProfileArchive(
  archive: Buffer,
  options: OpenProfileArchiveOptions,
): Promise<OpenedProfileArchive> {
  requireEd25519(options.publicKey, 'public', 'verify with');
  const limits: ProfileArchiveLimits = { ...DEFAULT_PROFILE_ARCHIVE_LIMITS, ...options.limits };
  const sha256 = createHash('sha256').update(archive).digest('hex');
  if (options.expectedSha256 !== undefined && sha256 !== options.expectedSha256.toLowerCase()) {
    throw new ProfileArchiveError(
      ProfileArchiveErrorCode.SHA256_MISMATCH,
      `archive sha256 is ${sha256}, expected ${options.expectedSha256}`,
    );
  }

  const zip = await openZip(archive);
  try {
    const entries = await checkedEntries(zip, limits);
    const budget = new UnpackBudget(limits.maxUnpackedBytes);
    const manifest = await verifiedManifest(zip, archive, entries, budget, options, limits);
    const files = await verifiedFiles(zip, archive, entries, manifest, budget);
    return { manifest, files, sha256 };
  } finally {
    zip.close();
  }
}

/** Everything that can be judged from the central directory, before a byte is unpacked. */
async function checkedEntries(zip: ZipFile, limits: ProfileArchiveLimits): Promise<Map<string, NamedEntry>> {
  const byName = new Map<string, NamedEntry>();
  const byFoldedName = new Map<string, string>();
  let declaredTotal = 0;
  for (const entry of await readCentralDirectory(zip, limits.maxEntries)) {
    const name = entryName(entry);
    requireRegularFile(entry, name);
    validateArchivePath(name);
    requirePlainEncoding(entry, name);
    const folded = caseFoldedName(name);
    const clash = byFoldedName.get(folded);
    if (clash !== undefined) {
      throw new ProfileArchiveError(
        ProfileArchiveErrorCode.DUPLICATE_ENTRY,
        clash === name
          ? `entry ${quoteName(name)} appears twice`
          : `entry ${quoteName(name)} differs from entry ${quoteName(clash)} only in case`,
      );
    }
    byFoldedName.set(folded, name);
    byName.set(name, { name, entry });
    declaredTotal += entry.uncompressedSize;
    if (declaredTotal > limits.maxUnpackedBytes) {
      throw new ProfileArchiveError(
        ProfileArchiveErrorCode.UNPACKED_TOO_LARGE,
        `entry ${quoteName(name)} declares ${entry.uncompressedSize} bytes, taking the archive past ${limits.maxUnpackedBytes} unpacked bytes`,
      );
    }
  }
  return byName;
}

async function verifiedManifest(
  zip: ZipFile,
  archive: Buffer,
  entries: Map<string, NamedEntry>,
  budget: UnpackBudget,
  options: OpenProfileArchiveOptions,
  limits: ProfileArchiveLimits,
): Promise<ProfileManifest> {
  const manifestEntry = entries.get(MANIFEST_NAME);
  if (manifestEntry === undefined) {
    throw new ProfileArchiveError(
      ProfileArchiveErrorCode.MANIFEST_MISSING,
      `archive has no ${MANIFEST_NAME}`,
    );
  }
  const signatureEntry = entries.get(SIGNATURE_NAME);
  if (signatureEntry === undefined) {
    throw new ProfileArchiveError(
      ProfileArchiveErrorCode.SIGNATURE_MISSING,
      `archive has no ${SIGNATURE_NAME}`,
    );
  }
  if (manifestEntry.entry.uncompressedSize > limits.maxManifestBytes) {
    throw new ProfileArchiveError(
      ProfileArchiveErrorCode.UNPACKED_TOO_LARGE,
      `entry ${quoteName(MANIFEST_NAME)} declares ${manifestEntry.entry.uncompressedSize} bytes; at most ${limits.maxManifestBytes} are allowed`,
    );
  }
  if (signatureEntry.entry.uncompressedSize !== SIGNATURE_BYTES) {
    throw new ProfileArchiveError(
      ProfileArchiveErrorCode.SIGNATURE_INVALID,
      `entry ${quoteName(SIGNATURE_NAME)} declares ${signatureEntry.entry.uncompressedSize} bytes; an Ed25519 signature is ${SIGNATURE_BYTES}`,
    );
  }
  const manifestJson = await unpack(zip, archive, manifestEntry, budget);
  const signature = await unpack(zip, archive, signatureEntry, budget);
  if (!verifyManifestSignature(manifestJson, signature, options.publicKey)) {
    throw new ProfileArchiveError(
      ProfileArchiveErrorCode.SIGNATURE_INVALID,
      `entry ${quoteName(SIGNATURE_NAME)} is not a signature of ${MANIFEST_NAME} by the pinned profile-signing key ${profileSigningKeyFingerprint(options.publicKey).slice(0, 16)}`,
    );
  }
  return parseManifest(manifestJson);
}

async function verifiedFiles(
  zip: ZipFile,
  archive: Buffer,
  entries: Map<string, NamedEntry>,
  manifest: ProfileManifest,
  budget: UnpackBudget,
): Promise<Map<string, Buffer>> {
  const listed = manifest.files;
  for (const name of entries.keys()) {
    if (name !== MANIFEST_NAME && name !== SIGNATURE_NAME && !Object.hasOwn(listed, name)) {
      throw new ProfileArchiveError(
        ProfileArchiveErrorCode.FILE_NOT_LISTED,
        `entry ${quoteName(name)} is not listed in ${MANIFEST_NAME}`,
      );
    }
  }
  const paths = Object.keys(listed).sort();
  for (const path of paths) {
    if (!entries.has(path)) {
      throw new ProfileArchiveError(
        ProfileArchiveErrorCode.FILE_MISSING,
        `file ${quoteName(path)} is listed in ${MANIFEST_NAME} but not in the archive`,
      );
    }
  }
  const files = new Map<string, Buffer>();
  for (const path of paths) {
    const expected = listed[path]!;
    const named = entries.get(path)!;
    if (named.entry.uncompressedSize !== expected.size) {
      throw new ProfileArchiveError(
        ProfileArchiveErrorCode.FILE_HASH_MISMATCH,
        `entry ${quoteName(path)} declares ${named.entry.uncompressedSize} bytes; ${MANIFEST_NAME} lists ${expected.size}`,
      );
    }
    const bytes = await unpack(zip, archive, named, budget);
    const actual = createHash('sha256').update(bytes).digest('hex');
    if (actual !== expected.sha256) {
      throw new ProfileArchiveError(
        ProfileArchiveErrorCode.FILE_HASH_MISMATCH,
        `entry ${quoteName(path)} has sha256 ${actual}; ${MANIFEST_NAME} lists ${expected.sha256}`,
      );
    }
    const nested = detectNestedArchive(bytes);
    if (nested !== undefined) {
      throw new ProfileArchiveError(
        ProfileArchiveErrorCode.NESTED_ARCHIVE,
        `entry ${quoteName(path)} is itself an archive (${nested})`,
      );
    }
    files.set(path, bytes);
  }
  return files;
}

async function unpack(zip: ZipFile, archive: Buffer, { name, entry }: NamedEntry, budget: UnpackBudget) {
  return unpackEntry(entry, await storedData(zip, archive, entry, name), name, budget);
}
