import { closeSync, fsyncSync, mkdirSync, openSync, renameSync, rmSync, chmodSync, writeSync } from 'node:fs';
import { basename, dirname, join } from 'node:path';
import { randomBytes } from 'node:crypto';

/** Creates the directory (and parents) if missing and makes sure the last one has exactly `mode`. */
export function ensureDirectory(path: string, mode: number): void {
  mkdirSync(path, { recursive: true, mode });
  chmodSync(path, mode);
}

/**
 * Replaces `path` so that a reader (or a crash) sees either the old or the new content, never a part:
 * temp file in the same folder → fsync → rename → fsync the folder.
 * Synchronous on purpose: these files are small and the agent must not interleave two writes of one file.
 */
export function writeFileAtomic(path: string, data: string | Buffer, mode = 0o644): void {
  const dir = dirname(path);
  const temp = join(dir, `.${basename(path)}.${randomBytes(6).toString('hex')}.tmp`);
  let fd = openSync(temp, 'wx', mode);
  try {
    const bytes = typeof data === 'string' ? Buffer.from(data, 'utf8') : data;
    let offset = 0;
    while (offset < bytes.length) offset += writeSync(fd, bytes, offset, bytes.length - offset);
    fsyncSync(fd);
    closeSync(fd);
    fd = -1;
    chmodSync(temp, mode); // openSync's mode is filtered by the umask
    renameSync(temp, path);
  } catch (error) {
    if (fd >= 0) closeSync(fd);
    rmSync(temp, { force: true });
    throw error;
  }
  syncDirectory(dir);
}

/** fsync of a folder: makes the renames and creations inside it durable. */
export function syncDirectory(dir: string): void {
  const fd = openSync(dir, 'r');
  try {
    fsyncSync(fd);
  } finally {
    closeSync(fd);
  }
}
