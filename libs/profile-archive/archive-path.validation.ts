import { ProfileArchiveError, ProfileArchiveErrorCode, quoteName } from './profile-archive.errors.js';

/** Longest entry name accepted, in characters; real profile paths are a few dozen. */
const MAX_PATH_LENGTH = 255;

/**
 * Checks that an entry name is a relative path that stays inside the folder it is extracted to and means the
 * same thing on every system: `/`-separated, no `.`/`..`/empty segments, no leading `/`, no backslash (a
 * separator on Windows), no drive letter or other `:` (alternate data streams), no control characters.
 * Used by the builder (never write what the opener refuses) and the opener.
 *
 * @throws ProfileArchiveError UNSAFE_PATH naming the entry and the rule it breaks.
 */
export function validateArchivePath(name: string): void {
  const reason = unsafePathReason(name);
  if (reason !== undefined) {
    throw new ProfileArchiveError(ProfileArchiveErrorCode.UNSAFE_PATH, `entry ${quoteName(name)} ${reason}`);
  }
}

function unsafePathReason(name: string): string | undefined {
  if (name.length === 0) return 'has an empty name';
  if (name.length > MAX_PATH_LENGTH) return `has a name longer than ${MAX_PATH_LENGTH} characters`;
  // eslint-disable-next-line no-control-regex -- control characters are exactly what is refused here
  if (/[\u0000-\u001f\u007f]/.test(name)) return 'has a control character in its name';
  // A lone surrogate has no UTF-8 form: the zip name and the manifest key would silently differ.
  if (/\p{Surrogate}/u.test(name)) return 'has an unpaired surrogate in its name';
  if (name.includes('\\')) return 'has a backslash in its path';
  if (name.startsWith('/')) return 'is an absolute path';
  if (/^[A-Za-z]:/.test(name)) return 'starts with a drive letter';
  if (name.includes(':')) return "has a ':' in its path";
  const segments = name.split('/');
  if (segments.includes('..')) return "has a '..' segment";
  if (segments.includes('.')) return "has a '.' segment";
  if (segments.includes('')) return 'has an empty path segment';
  return undefined;
}

/**
 * The key under which two names count as the same file on a case-insensitive or normalizing file system
 * (Windows, macOS): Unicode NFC, lower-cased.
 */
export const caseFoldedName = (name: string): string => name.normalize('NFC').toLowerCase();
