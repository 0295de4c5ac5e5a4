import { randomBytes } from 'node:crypto';
import { constants, type ReadStream, type Stats } from 'node:fs';
import { lstat, mkdir, open, readdir, rename, rm, rmdir, unlink } from 'node:fs/promises';
import { join } from 'node:path';
import { FileAreaError } from './file-area-error.js';

/** Windows has no O_NOFOLLOW; there the lstat checks alone keep links out. */
const NOFOLLOW = constants.O_NOFOLLOW ?? 0;
const PART = /^\..*\.part$/;

export interface FileAreaLimits {
  /** Bytes one file may have. */
  maxFileSize: number;
  /** Bytes all files together may have. */
  quota: number;
}

export interface FolderEntry {
  name: string;
  type: 'file' | 'folder';
  size: number;
  modified: string;
}

/**
 * The local API's file transfer area (`files/` in the agent home, issue 17 point 3). Paths come from
 * `parseAreaPath`, so they cannot name `..`; symbolic links met on the way are refused, not followed
 * (and files are opened with O_NOFOLLOW). Writes are atomic: into a hidden `.<name>.<random>.part`
 * beside the target, fsynced, then renamed over it, so a reader sees the old file or the new one, and a
 * crash leaves a `.part` that the next start removes. Writes run one at a time, so two uploads cannot
 * both fit the quota that only one fits.
 */
export class FileArea {
  private writes: Promise<unknown> = Promise.resolve();

  constructor(
    readonly root: string,
    readonly limits: FileAreaLimits,
  ) {}

  /** Creates the area (0700) and removes `.part` files a crash left behind. */
  async prepare(): Promise<void> {
    await mkdir(this.root, { recursive: true, mode: 0o700 });
    const stat = await lstat(this.root);
    if (!stat.isDirectory()) throw new Error(`file transfer area ${this.root} is not a folder`);
    await this.walk(this.root, async (path, name) => {
      if (PART.test(name)) await rm(path, { force: true });
    });
  }

  /** Bytes the area holds now. */
  async usage(): Promise<number> {
    let total = 0;
    await this.walk(this.root, async (_path, _name, stat) => void (total += stat.size));
    return total;
  }

  /** Stores `body` at `segments`, atomically; refuses over the size limit (413) or the quota (507). */
  async put(
    segments: string[],
    body: AsyncIterable<Buffer>,
    declaredLength: number | undefined,
  ): Promise<{ bytes: number; created: boolean }> {
    if (segments.length === 0) throw new FileAreaError(400, 'a file path is needed after /files/');
    if (declaredLength !== undefined && declaredLength > this.limits.maxFileSize) {
      throw new FileAreaError(413, `file of ${declaredLength} bytes ${this.overLimit()}`);
    }
    const run = this.writes.then(() => this.write(segments, body, declaredLength));
    this.writes = run.catch(() => undefined);
    return run;
  }

  /** A file (to stream) or a folder (its entries), or 404. */
  async read(
    segments: string[],
  ): Promise<
    { kind: 'file'; size: number; stream: ReadStream } | { kind: 'folder'; entries: FolderEntry[] }
  > {
    const { path, stat } = await this.locate(segments);
    if (!stat) throw new FileAreaError(404, `no file or folder ${display(segments)} in the file area`);
    if (stat.isDirectory()) return { kind: 'folder', entries: await this.list(path) };
    const handle = await open(path, constants.O_RDONLY | NOFOLLOW);
    const opened = await handle.stat();
    return {
      kind: 'file',
      size: opened.size,
      stream: handle.createReadStream(),
    };
  }

  /** Removes a file or an empty folder. */
  async delete(segments: string[]): Promise<void> {
    if (segments.length === 0) throw new FileAreaError(400, 'the file area itself cannot be deleted');
    const { path, stat } = await this.locate(segments);
    if (!stat) throw new FileAreaError(404, `no file or folder ${display(segments)} in the file area`);
    if (!stat.isDirectory()) return unlink(path);
    if ((await readdir(path)).length > 0) {
      throw new FileAreaError(409, `folder ${display(segments)} is not empty: delete its files first`);
    }
    await rmdir(path);
  }

  private async write(
    segments: string[],
    body: AsyncIterable<Buffer>,
    declaredLength: number | undefined,
  ): Promise<{ bytes: number; created: boolean }> {
    const { path, stat } = await this.locate(segments, { createFolders: true });
    if (stat?.isDirectory()) throw new FileAreaError(409, `${display(segments)} is a folder, not a file`);
    const replaced = stat?.size ?? 0;
    const room = this.limits.quota - ((await this.usage()) - replaced);
    if (declaredLength !== undefined && declaredLength > room)
      throw new FileAreaError(507, this.overQuota(room));

    const name = segments[segments.length - 1];
    const part = join(path, '..', `.${name}.${randomBytes(6).toString('hex')}.part`);
    const flags = constants.O_WRONLY | constants.O_CREAT | constants.O_EXCL | NOFOLLOW;
    const handle = await open(part, flags, 0o600);
    let bytes = 0;
    try {
      for await (const chunk of body) {
        bytes += chunk.length;
        if (bytes > this.limits.maxFileSize) throw new FileAreaError(413, `file ${this.overLimit()}`);
        if (bytes > room) throw new FileAreaError(507, this.overQuota(room));
        await handle.write(chunk);
      }
      await handle.sync();
      await handle.close();
      await rename(part, path);
    } catch (error) {
      await handle.close().catch(() => undefined);
      await rm(part, { force: true });
      throw error;
    }
    return { bytes, created: stat === undefined };
  }

  /**
   * The absolute path of `segments` and what is there now (lstat, undefined if nothing), refusing
   * symbolic links and files where a folder is needed. With createFolders, missing folders are made.
   */
  private async locate(
    segments: string[],
    options: { createFolders?: boolean } = {},
  ): Promise<{ path: string; stat: Stats | undefined }> {
    let path = this.root;
    for (let i = 0; i < segments.length; i++) {
      path = join(path, segments[i]);
      const last = i === segments.length - 1;
      let stat = await lstatOrUndefined(path);
      if (stat?.isSymbolicLink()) {
        throw new FileAreaError(
          403,
          `${display(segments.slice(0, i + 1))} is a symbolic link: links are not followed`,
        );
      }
      if (last) return { path, stat };
      if (!stat && options.createFolders) {
        await mkdir(path, { mode: 0o700 }).catch((error: NodeJS.ErrnoException) => {
          if (error.code !== 'EEXIST') throw error;
        });
        stat = await lstat(path);
        if (stat.isSymbolicLink())
          throw new FileAreaError(403, `${display(segments.slice(0, i + 1))} is a symbolic link`);
      }
      if (!stat) return { path: join(path, ...segments.slice(i + 1)), stat: undefined };
      if (!stat.isDirectory()) {
        throw new FileAreaError(409, `${display(segments.slice(0, i + 1))} is a file, not a folder`);
      }
    }
    return { path, stat: await lstat(path) };
  }

  private async list(folder: string): Promise<FolderEntry[]> {
    const entries: FolderEntry[] = [];
    for (const name of (await readdir(folder)).sort()) {
      if (name.startsWith('.')) continue;
      const stat = await lstatOrUndefined(join(folder, name));
      if (!stat || stat.isSymbolicLink()) continue;
      entries.push({
        name,
        type: stat.isDirectory() ? 'folder' : 'file',
        size: stat.isDirectory() ? 0 : stat.size,
        modified: stat.mtime.toISOString(),
      });
    }
    return entries;
  }

  /** Calls `onFile` for every regular file below `folder`, not following links. */
  private async walk(folder: string, onFile: (path: string, name: string, stat: Stats) => Promise<void>) {
    for (const name of await readdir(folder)) {
      const path = join(folder, name);
      const stat = await lstatOrUndefined(path);
      if (stat?.isDirectory()) await this.walk(path, onFile);
      else if (stat?.isFile()) await onFile(path, name, stat);
    }
  }

  private overLimit(): string {
    return `is larger than the limit of ${this.limits.maxFileSize} bytes (agent.local.api.files.max.size)`;
  }

  private overQuota(room: number): string {
    return `the file area's quota of ${this.limits.quota} bytes (agent.local.api.files.quota) leaves room for ${Math.max(0, room)} bytes only`;
  }
}

async function lstatOrUndefined(path: string): Promise<Stats | undefined> {
  try {
    return await lstat(path);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw error;
  }
}

function display(segments: string[]): string {
  return `"${segments.join('/')}"`;
}
