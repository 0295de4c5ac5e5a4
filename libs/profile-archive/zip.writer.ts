import yazl from 'yazl';
import { ENTRY_MODE, entryTimestamp } from './profile-archive.layout.js';

/**
 * Writes a zip whose bytes depend only on the entries given: entries in the order given (the caller sorts),
 * stored without compression, one fixed timestamp (DOS fields only: no extended-timestamp extra field, which
 * would carry a time-zone-dependent Unix time), one fixed mode, no comments. Stored rather than deflated
 * because deflate output depends on the zlib build inside Node (ADR 0007).
 */
export async function writeDeterministicZip(
  entries: ReadonlyArray<{ path: string; bytes: Buffer }>,
): Promise<Buffer> {
  const zip = new yazl.ZipFile();
  const mtime = entryTimestamp();
  for (const { path, bytes } of entries) {
    zip.addBuffer(bytes, path, { mtime, mode: ENTRY_MODE, compress: false, forceDosTimestamp: true });
  }
  const chunks: Buffer[] = [];
  const done = new Promise<Buffer>((resolve, reject) => {
    zip.outputStream.on('data', (chunk: Buffer) => chunks.push(chunk));
    zip.outputStream.on('end', () => resolve(Buffer.concat(chunks)));
    zip.outputStream.on('error', reject);
  });
  zip.end();
  return done;
}
