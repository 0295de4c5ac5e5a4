import { gzipSync } from 'node:zlib';
import { type ArchiveEntry, withFolders } from './archive-entry.js';

const BLOCK = 512;
/** tar's traditional record: 20 blocks. GNU and BSD tar read archives padded to it without a warning. */
const RECORD = 20 * BLOCK;

/**
 * A POSIX ustar archive, gzipped, with no variable input: entries sorted, folders listed, owner 0/0,
 * one fixed mtime. Written here rather than by the system's tar, whose options and defaults (owner
 * names, pax headers, sort order) differ between GNU, BSD and Windows' bsdtar.
 */
export function tarGz(entries: readonly ArchiveEntry[], mtime: Date): Buffer {
  const parts: Buffer[] = [];
  for (const entry of withFolders(entries)) {
    parts.push(header(entry.path, entry.folder ? 0 : entry.data.length, entry.mode, mtime, entry.folder));
    if (!entry.folder) {
      parts.push(entry.data);
      const pad = (BLOCK - (entry.data.length % BLOCK)) % BLOCK;
      if (pad) parts.push(Buffer.alloc(pad));
    }
  }
  parts.push(Buffer.alloc(2 * BLOCK)); // end of archive
  const length = parts.reduce((n, p) => n + p.length, 0);
  parts.push(Buffer.alloc((RECORD - (length % RECORD)) % RECORD));
  // Node's gzip header carries mtime 0 and no file name: nothing varies between runs.
  return gzipSync(Buffer.concat(parts), { level: 9 });
}

function header(path: string, size: number, mode: number, mtime: Date, folder: boolean): Buffer {
  const block = Buffer.alloc(BLOCK);
  const { name, prefix } = splitName(path);
  block.write(name, 0, 100, 'utf8');
  octal(block, 100, 8, mode);
  octal(block, 108, 8, 0); // uid
  octal(block, 116, 8, 0); // gid
  octal(block, 124, 12, size);
  octal(block, 136, 12, Math.floor(mtime.getTime() / 1000));
  block.fill(' ', 148, 156); // the checksum is computed with its own field as spaces
  block.write(folder ? '5' : '0', 156, 1, 'latin1');
  block.write('ustar\u000000', 257, 8, 'latin1');
  block.write('root', 265, 32, 'latin1');
  block.write('root', 297, 32, 'latin1');
  block.write(prefix, 345, 155, 'utf8');
  let sum = 0;
  for (const byte of block) sum += byte;
  block.write(`${sum.toString(8).padStart(6, '0')}\u0000 `, 148, 8, 'latin1');
  return block;
}

function octal(block: Buffer, offset: number, width: number, value: number): void {
  const text = value.toString(8).padStart(width - 1, '0');
  if (text.length > width - 1)
    throw new Error(`tar header value ${value} does not fit ${width - 1} octal digits`);
  block.write(`${text}\u0000`, offset, width, 'latin1');
}

/** ustar keeps names up to 100 bytes, longer ones split at a '/' into a 155-byte prefix and the name. */
function splitName(path: string): { name: string; prefix: string } {
  if (Buffer.byteLength(path) <= 100) return { name: path, prefix: '' };
  for (let i = path.lastIndexOf('/', path.length - 2); i > 0; i = path.lastIndexOf('/', i - 1)) {
    const prefix = path.slice(0, i);
    const name = path.slice(i + 1);
    if (Buffer.byteLength(prefix) <= 155 && Buffer.byteLength(name) <= 100) return { name, prefix };
  }
  throw new Error(`archive path too long for ustar: "${path}"`);
}
