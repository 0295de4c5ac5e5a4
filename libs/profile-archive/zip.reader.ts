import yauzl, { type Entry, type ZipFile } from 'yauzl';
import { ProfileArchiveError, ProfileArchiveErrorCode, quoteName } from './profile-archive.errors.js';

/**
 * yauzl parses the zip structure (end record, zip64, central directory, extra fields, local headers, bounds);
 * everything about what an entry may be is decided by our own checks. Names stay raw bytes
 * (`decodeStrings: false`) so that nothing is guessed; sizes are checked by our unpacker on the real output.
 */
export async function openZip(archive: Buffer): Promise<ZipFile> {
  try {
    return await yauzl.fromBufferPromise(archive, {
      lazyEntries: true,
      decodeStrings: false,
      validateEntrySizes: false,
      strictFileNames: false,
    });
  } catch (error) {
    throw zipError(error, 'archive is not a readable zip');
  }
}

/**
 * Reads the central directory, refusing before reading a single record when the archive announces more
 * entries than `maxEntries`.
 */
export async function readCentralDirectory(zip: ZipFile, maxEntries: number): Promise<Entry[]> {
  if (zip.entryCount > maxEntries) {
    throw new ProfileArchiveError(
      ProfileArchiveErrorCode.TOO_MANY_ENTRIES,
      `archive has ${zip.entryCount} entries; at most ${maxEntries} are allowed`,
    );
  }
  const entries: Entry[] = [];
  try {
    for await (const entry of zip.eachEntry()) entries.push(entry);
  } catch (error) {
    throw zipError(error, 'archive central directory is unreadable');
  }
  return entries;
}

/**
 * The entry's data as stored in the archive (a view, no copy). The local header must agree with the central
 * directory on name, method and flags, so that tools reading either one see the same entry.
 */
export async function storedData(zip: ZipFile, archive: Buffer, entry: Entry, name: string): Promise<Buffer> {
  let header;
  try {
    header = await zip.readLocalFileHeaderPromise(entry);
  } catch (error) {
    throw zipError(error, `entry ${quoteName(name)} has an unreadable local header`);
  }
  if (
    !header.fileName.equals(entry.fileNameRaw) ||
    header.compressionMethod !== entry.compressionMethod ||
    (header.generalPurposeBitFlag & 0x0001) !== (entry.generalPurposeBitFlag & 0x0001)
  ) {
    throw new ProfileArchiveError(
      ProfileArchiveErrorCode.CORRUPT,
      `entry ${quoteName(name)} has a local header that disagrees with the central directory`,
    );
  }
  return archive.subarray(header.fileDataStart, header.fileDataStart + entry.compressedSize);
}

/** yauzl's errors are plain Errors; encryption gets its own code, everything else means a broken zip. */
function zipError(error: unknown, context: string): ProfileArchiveError {
  const detail = error instanceof Error ? error.message : String(error);
  const code = /encrypt/i.test(detail)
    ? ProfileArchiveErrorCode.ENCRYPTED_ENTRY
    : ProfileArchiveErrorCode.CORRUPT;
  return new ProfileArchiveError(code, `${context}: ${detail}`, { cause: error });
}
