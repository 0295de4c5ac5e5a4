/**
 * Why a profile archive was refused (or could not be built or extracted). One code per kind of problem, so
 * the agent can report `failed(<code>: <message>)` and central can map it without parsing words.
 */
export const ProfileArchiveErrorCode = {
  /** The archive's sha256 is not the one central announced: corrupted or substituted in transit. */
  SHA256_MISMATCH: 'SHA256_MISMATCH',
  /** Not a zip, truncated, or internally inconsistent (bad headers, bad deflate data). */
  CORRUPT: 'CORRUPT',
  /** More entries than the limit (64 by default). */
  TOO_MANY_ENTRIES: 'TOO_MANY_ENTRIES',
  /** The entries unpack, or claim to unpack, to more than the limit (10 MiB by default). */
  UNPACKED_TOO_LARGE: 'UNPACKED_TOO_LARGE',
  /** An entry unpacks to a different number of bytes than the zip declares for it. */
  ENTRY_SIZE_MISMATCH: 'ENTRY_SIZE_MISMATCH',
  /** An entry name that could land outside the staging folder or means different things on different systems. */
  UNSAFE_PATH: 'UNSAFE_PATH',
  /** An entry name that is not valid UTF-8, or is not flagged as UTF-8 while using non-ASCII bytes. */
  NAME_NOT_UTF8: 'NAME_NOT_UTF8',
  /** A symlink, directory, device, FIFO or socket entry: only regular files are allowed. */
  NOT_A_REGULAR_FILE: 'NOT_A_REGULAR_FILE',
  /** Two entries with the same name, also when they differ only in letter case. */
  DUPLICATE_ENTRY: 'DUPLICATE_ENTRY',
  /** An encrypted entry (traditional or strong encryption). */
  ENCRYPTED_ENTRY: 'ENCRYPTED_ENTRY',
  /** A compression method other than stored (0) or deflate (8). */
  UNSUPPORTED_COMPRESSION: 'UNSUPPORTED_COMPRESSION',
  /** An entry carrying zip features that could make tools disagree on its name (Unicode path extra field). */
  UNSUPPORTED_ENTRY: 'UNSUPPORTED_ENTRY',
  /** An entry that is itself an archive (zip, jar, gzip, tar, …) by its magic bytes. */
  NESTED_ARCHIVE: 'NESTED_ARCHIVE',
  /** No manifest.json in the archive. */
  MANIFEST_MISSING: 'MANIFEST_MISSING',
  /** manifest.json is not canonical JSON or does not match the manifest schema. */
  MANIFEST_INVALID: 'MANIFEST_INVALID',
  /** No manifest.sig in the archive. */
  SIGNATURE_MISSING: 'SIGNATURE_MISSING',
  /** manifest.sig is malformed or is not a signature of manifest.json by the pinned profile-signing key. */
  SIGNATURE_INVALID: 'SIGNATURE_INVALID',
  /** A file is in the archive but not in the manifest. */
  FILE_NOT_LISTED: 'FILE_NOT_LISTED',
  /** A file is in the manifest but not in the archive. */
  FILE_MISSING: 'FILE_MISSING',
  /** A file's sha256 (or size) differs from the one the manifest lists. */
  FILE_HASH_MISMATCH: 'FILE_HASH_MISMATCH',
  /** Builder input that would give an archive the opener refuses (bad profile name, reserved file name, …). */
  INVALID_INPUT: 'INVALID_INPUT',
  /** The staging folder for extraction already exists. */
  STAGING_EXISTS: 'STAGING_EXISTS',
} as const;
export type ProfileArchiveErrorCode = (typeof ProfileArchiveErrorCode)[keyof typeof ProfileArchiveErrorCode];

/**
 * The only error type the profile-archive builder, opener and extractor throw for bad input; `code` says
 * what went wrong and `message` names the entry concerned.
 */
export class ProfileArchiveError extends Error {
  override readonly name = 'ProfileArchiveError';

  constructor(
    readonly code: ProfileArchiveErrorCode,
    message: string,
    options?: { cause?: unknown },
  ) {
    super(message, options);
  }
}

/** Entry names go into messages quoted as JSON, so control characters and quotes cannot forge log lines. */
export const quoteName = (name: string): string => JSON.stringify(name);
