import { gunzipSync } from 'node:zlib';

const BLOCK = 512;

/** One file or folder of a package archive. */
export interface TarEntry {
  /** Forward-slash path as stored, folders without their trailing slash. */
  path: string;
  folder: boolean;
  /** Permission bits (0o755 for launchers). */
  mode: number;
  data: Buffer;
}

export interface TarLimits {
  /** Unpacked bytes at most (a gzip bomb stops here). */
  maxUnpackedBytes: number;
  maxEntries: number;
}

export const DEFAULT_TAR_LIMITS: TarLimits = { maxUnpackedBytes: 128 * 1024 * 1024, maxEntries: 1000 };

/**
 * Reads a gzipped ustar archive as the agent package writes it (apps/agent/packaging/tar-gz.ts): regular
 * files and folders only. Anything else — a link, a device, an absolute path, `..`, a bad checksum — is
 * refused with the reason, so nothing outside the install folder can ever be written from it.
 */
export function readTarGz(archive: Buffer, limits: TarLimits = DEFAULT_TAR_LIMITS): TarEntry[] {
  let tar: Buffer;
  try {
    tar = gunzipSync(archive, { maxOutputLength: limits.maxUnpackedBytes });
  } catch (error) {
    throw new Error(
      `the archive is not a gzip file within ${limits.maxUnpackedBytes} bytes: ${(error as Error).message}`,
    );
  }
  const entries: TarEntry[] = [];
  for (let offset = 0; offset + BLOCK <= tar.length;) {
    const header = tar.subarray(offset, offset + BLOCK);
    if (header.every((b) => b === 0)) break; // end of archive
    if (entries.length >= limits.maxEntries)
      throw new Error(`the archive has more than ${limits.maxEntries} entries`);
    checkChecksum(header, offset);
    const name = text(header, 0, 100);
    const prefix = text(header, 345, 155);
    const path = (prefix ? `${prefix}/${name}` : name).replace(/\/$/, '');
    const size = octal(header, 124, 12);
    const mode = octal(header, 100, 8) & 0o777;
    const type = String.fromCharCode(header[156] || 0x30);
    checkPath(path);
    if (type !== '0' && type !== '5')
      throw new Error(`"${path}" is not a regular file or folder (tar type ${JSON.stringify(type)})`);
    const start = offset + BLOCK;
    if (start + size > tar.length) throw new Error(`"${path}" is cut short`);
    entries.push({ path, folder: type === '5', mode, data: Buffer.from(tar.subarray(start, start + size)) });
    offset = start + Math.ceil(size / BLOCK) * BLOCK;
  }
  return entries;
}

function text(block: Buffer, offset: number, width: number): string {
  const field = block.subarray(offset, offset + width);
  const end = field.indexOf(0);
  return field.subarray(0, end === -1 ? width : end).toString('utf8');
}

function octal(block: Buffer, offset: number, width: number): number {
  const value = text(block, offset, width).trim();
  if (!/^[0-7]*$/.test(value)) throw new Error(`bad number in a tar header: ${JSON.stringify(value)}`);
  return value === '' ? 0 : parseInt(value, 8);
}

function checkChecksum(header: Buffer, offset: number): void {
  const stored = octal(header, 148, 8);
  let sum = 0;
  for (let i = 0; i < BLOCK; i++) sum += i >= 148 && i < 156 ? 0x20 : header[i]!;
  if (sum !== stored) throw new Error(`tar header at byte ${offset} has a bad checksum`);
}

function checkPath(path: string): void {
  if (
    path === '' ||
    path.startsWith('/') ||
    path.includes('\\') ||
    path.includes('\0') ||
    path.split('/').some((part) => part === '..' || part === '.' || part === '')
  )
    throw new Error(`unsafe path in the archive: ${JSON.stringify(path)}`);
}
