import { ZipFile } from 'yazl';
import { type ArchiveEntry, withFolders } from './archive-entry.js';

/**
 * A zip of the same entries for Windows, reproducible: sorted entries, one DOS timestamp and no
 * extended-timestamp field (yazl writes the current UTC time there unless told not to).
 */
export async function zipArchive(entries: readonly ArchiveEntry[], mtime: Date): Promise<Buffer> {
  // DOS timestamps are local wall-clock fields and yazl reads them with the local getters: give it a
  // Date whose LOCAL fields are the UTC fields of `mtime`, so the bytes do not depend on the time zone.
  const local = new Date(
    mtime.getUTCFullYear(),
    mtime.getUTCMonth(),
    mtime.getUTCDate(),
    mtime.getUTCHours(),
    mtime.getUTCMinutes(),
    mtime.getUTCSeconds(),
  );
  const zip = new ZipFile();
  for (const entry of withFolders(entries)) {
    const options = {
      mtime: local,
      mode: (entry.folder ? 0o40000 : 0o100000) | entry.mode,
      forceDosTimestamp: true,
    };
    if (entry.folder) zip.addEmptyDirectory(entry.path, options);
    else zip.addBuffer(entry.data, entry.path, { ...options, compress: true });
  }
  zip.end();
  const chunks: Buffer[] = [];
  for await (const chunk of zip.outputStream) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks);
}
