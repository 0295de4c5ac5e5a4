import type { Entry } from 'yauzl';
import { ProfileArchiveError, ProfileArchiveErrorCode, quoteName } from './profile-archive.errors.js';

/** General purpose flag bits (APPNOTE 4.4.4). */
const FLAG_ENCRYPTED = 0x0001;
const FLAG_STRONG_ENCRYPTION = 0x0040;
const FLAG_UTF8_NAME = 0x0800;
const FLAG_MASKED_HEADERS = 0x2000;

const METHOD_STORED = 0;
const METHOD_DEFLATE = 8;
/** WinZip AES: the method number announces encryption, the real method hides in an extra field. */
const METHOD_AES = 99;

/** Info-ZIP Unicode Path extra field: a second name that some tools prefer over the header's. */
const EXTRA_UNICODE_PATH = 0x7075;

const S_IFMT = 0o170000;
const S_IFREG = 0o100000;
const FILE_TYPES: Record<number, string> = {
  0o120000: 'a symlink',
  0o040000: 'a directory',
  0o020000: 'a character device',
  0o060000: 'a block device',
  0o010000: 'a FIFO',
  0o140000: 'a socket',
};
/** MS-DOS attribute bit in the low byte of the external attributes. */
const DOS_DIRECTORY = 0x10;

const utf8 = new TextDecoder('utf-8', { fatal: true, ignoreBOM: true });

/**
 * Decodes an entry name from its raw bytes (yauzl runs with `decodeStrings: false`, so nothing has been
 * guessed or rewritten). The name must be valid UTF-8, and non-ASCII names must carry the UTF-8 flag:
 * without it other tools read the bytes as CP437 and would see a different name. A Unicode Path extra
 * field is refused for the same reason.
 *
 * @throws ProfileArchiveError NAME_NOT_UTF8, UNSUPPORTED_ENTRY
 */
export function entryName(entry: Entry): string {
  const raw = entry.fileNameRaw;
  let name: string;
  try {
    name = utf8.decode(raw);
  } catch {
    throw new ProfileArchiveError(
      ProfileArchiveErrorCode.NAME_NOT_UTF8,
      `entry ${quoteName(raw.toString('latin1'))} has a name that is not valid UTF-8 (hex ${raw.toString('hex')})`,
    );
  }
  const ascii = raw.every((byte) => byte < 0x80);
  if (!ascii && (entry.generalPurposeBitFlag & FLAG_UTF8_NAME) === 0) {
    throw new ProfileArchiveError(
      ProfileArchiveErrorCode.NAME_NOT_UTF8,
      `entry ${quoteName(name)} has a non-ASCII name without the UTF-8 flag (other tools would read it as CP437)`,
    );
  }
  if (entry.extraFields.some((field) => field.id === EXTRA_UNICODE_PATH)) {
    throw new ProfileArchiveError(
      ProfileArchiveErrorCode.UNSUPPORTED_ENTRY,
      `entry ${quoteName(name)} carries a second (Unicode path) name`,
    );
  }
  return name;
}

/**
 * Refuses everything but regular files: symlinks and other Unix file types in the high 16 bits of the
 * external attributes (checked whatever system the zip claims to come from: some extractors honour them
 * regardless), and directories by trailing slash or DOS attribute.
 *
 * @throws ProfileArchiveError NOT_A_REGULAR_FILE
 */
export function requireRegularFile(entry: Entry, name: string): void {
  const unixType = (entry.externalFileAttributes >>> 16) & S_IFMT;
  let kind: string | undefined;
  if (unixType !== 0 && unixType !== S_IFREG)
    kind = FILE_TYPES[unixType] ?? `of unknown file type 0o${unixType.toString(8)}`;
  else if (name.endsWith('/') || (entry.externalFileAttributes & DOS_DIRECTORY) !== 0) kind = 'a directory';
  if (kind !== undefined) {
    throw new ProfileArchiveError(
      ProfileArchiveErrorCode.NOT_A_REGULAR_FILE,
      `entry ${quoteName(name)} is ${kind}; only regular files are allowed`,
    );
  }
}

/**
 * Only unencrypted entries, stored or deflated.
 *
 * @throws ProfileArchiveError ENCRYPTED_ENTRY, UNSUPPORTED_COMPRESSION
 */
export function requirePlainEncoding(entry: Entry, name: string): void {
  const encrypted =
    (entry.generalPurposeBitFlag & (FLAG_ENCRYPTED | FLAG_STRONG_ENCRYPTION | FLAG_MASKED_HEADERS)) !== 0 ||
    entry.compressionMethod === METHOD_AES;
  if (encrypted) {
    throw new ProfileArchiveError(
      ProfileArchiveErrorCode.ENCRYPTED_ENTRY,
      `entry ${quoteName(name)} is encrypted`,
    );
  }
  if (entry.compressionMethod !== METHOD_STORED && entry.compressionMethod !== METHOD_DEFLATE) {
    throw new ProfileArchiveError(
      ProfileArchiveErrorCode.UNSUPPORTED_COMPRESSION,
      `entry ${quoteName(name)} uses compression method ${entry.compressionMethod}; only stored (0) and deflate (8) are supported`,
    );
  }
}

export const isDeflated = (entry: Entry): boolean => entry.compressionMethod === METHOD_DEFLATE;
