import { ProfileArchiveError, ProfileArchiveErrorCode } from '../../../../libs/profile-archive/index.js';

/** A profile step that failed for a reason worth reporting to central as `failed(reason)`. */
export class ProfileRefusal extends Error {
  override readonly name = 'ProfileRefusal';
}

/** Lead words per archive problem, so the operator reads the kind of failure before the details. */
const ARCHIVE_REASONS: Partial<Record<ProfileArchiveErrorCode, string>> = {
  [ProfileArchiveErrorCode.SHA256_MISMATCH]: 'archive is not the one central announced',
  [ProfileArchiveErrorCode.SIGNATURE_INVALID]: "archive signature is not by central's profile-signing key",
  [ProfileArchiveErrorCode.SIGNATURE_MISSING]: 'archive is not signed',
  [ProfileArchiveErrorCode.UNSAFE_PATH]: 'archive entry could escape the staging folder',
  [ProfileArchiveErrorCode.NOT_A_REGULAR_FILE]: 'archive holds something other than regular files',
  [ProfileArchiveErrorCode.UNPACKED_TOO_LARGE]: 'archive unpacks to too much data',
  [ProfileArchiveErrorCode.ENTRY_SIZE_MISMATCH]: 'archive entry unpacks to another size than declared',
  [ProfileArchiveErrorCode.TOO_MANY_ENTRIES]: 'archive has too many entries',
  [ProfileArchiveErrorCode.NESTED_ARCHIVE]: 'archive holds a nested archive',
  [ProfileArchiveErrorCode.CORRUPT]: 'archive is corrupt or truncated',
};

/** One line for `failed(reason)`: what kind of failure, then the precise message and code. */
export function profileFailureReason(error: unknown): string {
  if (error instanceof ProfileArchiveError) {
    const lead = ARCHIVE_REASONS[error.code] ?? 'archive refused';
    return `${lead}: ${error.message} [${error.code}]`;
  }
  // Download, check and file-system errors already name the file or URL and say what went wrong.
  return error instanceof Error ? error.message : String(error);
}
